package dev.tollgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Command line: prints {@code ENC(...)} for a secret read from standard input, encrypted with
 * {@code TOLLGATE_MASTER_PASSWORD}, ready to paste into the config file. Reading stdin keeps the
 * secret out of shell history and process lists.
 */
public final class EncryptSecret {
    private EncryptSecret() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(System.in, System.getenv(), System.out, System.err));
    }

    static int run(InputStream in, Map<String, String> env, PrintStream out, PrintStream err) throws IOException {
        String password = env.get("TOLLGATE_MASTER_PASSWORD");
        if (password == null || password.isEmpty()) {
            err.println("Set TOLLGATE_MASTER_PASSWORD to the master password the gateway will run with.");
            return 2;
        }
        String secret = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            err.println("Pipe the secret to encrypt on standard input.");
            return 2;
        }
        out.println(SecretDecryptor.encrypt(secret, password));
        return 0;
    }
}
