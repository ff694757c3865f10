package dev.tollgate.config;

import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jasypt.encryption.pbe.StandardPBEStringEncryptor;
import org.jasypt.exceptions.EncryptionOperationNotPossibleException;
import org.jasypt.iv.RandomIvGenerator;

/**
 * Turns {@code ENC(...)} config values into clear text with jasypt and the master password.
 * Algorithm and IV generator match the one-line encryption command in the README.
 */
public final class SecretDecryptor implements UnaryOperator<String> {
    public static final String ALGORITHM = "PBEWITHHMACSHA512ANDAES_256";
    private static final Pattern ENC = Pattern.compile("^\\s*ENC\\((.*)\\)\\s*$", Pattern.DOTALL);

    private final Optional<StandardPBEStringEncryptor> encryptor;

    public SecretDecryptor(Optional<String> masterPassword) {
        this.encryptor = masterPassword.filter(p -> !p.isEmpty()).map(SecretDecryptor::encryptor);
    }

    public static boolean isEncrypted(String value) {
        return value != null && ENC.matcher(value).matches();
    }

    @Override
    public String apply(String value) {
        Matcher m = ENC.matcher(value);
        if (!m.matches()) {
            return value;
        }
        StandardPBEStringEncryptor e = encryptor.orElseThrow(() -> new IllegalStateException(
                "is encrypted (ENC(...)) but no master password is set: set TOLLGATE_MASTER_PASSWORD "
                        + "or JNDI java:comp/env/tollgate/master-password"));
        try {
            return e.decrypt(m.group(1).trim());
        } catch (EncryptionOperationNotPossibleException ex) {
            throw new IllegalStateException("cannot be decrypted: wrong master password or damaged ENC(...) value");
        }
    }

    /** Encrypts a value the way {@link #apply} expects; used by tests and by anyone scripting in Java. */
    public static String encrypt(String clear, String masterPassword) {
        return "ENC(" + encryptor(masterPassword).encrypt(clear) + ")";
    }

    private static StandardPBEStringEncryptor encryptor(String password) {
        StandardPBEStringEncryptor e = new StandardPBEStringEncryptor();
        e.setAlgorithm(ALGORITHM);
        e.setIvGenerator(new RandomIvGenerator());
        e.setPassword(password);
        return e;
    }
}
