package dev.tollgate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Finds and loads the config file. Lookup order: JNDI {@code java:comp/env/tollgate/config},
 * system property {@code tollgate.config}, environment {@code TOLLGATE_CONFIG}, then
 * {@code tollgate.yaml} in the container's config folder. No file: safe defaults, said in the log.
 */
public final class ConfigLocator {
    private static final Logger LOG = Logger.getLogger(ConfigLocator.class.getName());

    private final Function<String, Optional<String>> jndi;
    private final Function<String, String> systemProperties;
    private final Map<String, String> environment;

    public ConfigLocator(Function<String, Optional<String>> jndi, Function<String, String> systemProperties,
                         Map<String, String> environment) {
        this.jndi = jndi;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** The locator for a running container: real JNDI, system properties and environment. */
    public static ConfigLocator ofContainer() {
        return new ConfigLocator(ConfigLocator::lookupJndi, System::getProperty, System.getenv());
    }

    /** The config in force at start: the located file, or safe defaults (hash {@code none}) when there is none. */
    public Loaded load() {
        Optional<Path> file = locate();
        if (file.isEmpty()) {
            Path defaultDatabase = defaultDatabase();
            LOG.warning("tollgate: no config file found (looked in JNDI java:comp/env/tollgate/config, -Dtollgate.config, "
                    + "$TOLLGATE_CONFIG, " + containerConfigDirs() + "); starting with safe defaults: no providers, "
                    + "usage recorded to " + defaultDatabase);
            return new Loaded(TollgateConfig.defaults(defaultDatabase), "none");
        }
        Loaded loaded = read(file.get());
        LOG.info("tollgate: configuration loaded from " + file.get() + " (hash " + loaded.hash() + ")");
        return loaded;
    }

    /** A file's bytes and the config they make; the hash is of the bytes, so two instances with one file agree. */
    public record Loaded(TollgateConfig config, String hash) {
    }

    /** Reads and parses {@code path} whole; a {@link ConfigException} names what is wrong and on which line. */
    public Loaded read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException("tollgate config: cannot read " + path + ": " + e.getMessage(), e);
        }
        UnaryOperator<String> values = new EnvironmentValues(environment).andThen(new SecretDecryptor(masterPassword()))::apply;
        TollgateConfig config = new ConfigParser(values, LOG::warning)
                .parse(new String(bytes, StandardCharsets.UTF_8), Optional.of(path), defaultDatabase());
        return new Loaded(config, hash(bytes));
    }

    /** The first 16 hex digits of the bytes' SHA-256: enough to tell files apart, nothing of what they hold. */
    public static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public Optional<Path> locate() {
        Optional<String> named = jndi.apply("tollgate/config")
                .or(() -> Optional.ofNullable(systemProperties.apply("tollgate.config")))
                .or(() -> Optional.ofNullable(environment.get("TOLLGATE_CONFIG")))
                .filter(s -> !s.isBlank());
        if (named.isPresent()) {
            Path path = Path.of(named.get().trim());
            if (!Files.isRegularFile(path)) {
                // a named file that is missing is a mistake, not a reason to run on defaults
                throw new ConfigException("tollgate config: the configured file " + path + " does not exist");
            }
            return Optional.of(path);
        }
        return containerConfigDirs().stream().map(dir -> dir.resolve("tollgate.yaml")).filter(Files::isRegularFile)
                .findFirst();
    }

    public Optional<String> masterPassword() {
        return Optional.ofNullable(environment.get("TOLLGATE_MASTER_PASSWORD")).filter(s -> !s.isEmpty())
                .or(() -> jndi.apply("tollgate/master-password"));
    }

    private List<Path> containerConfigDirs() {
        List<Path> dirs = new ArrayList<>();
        Optional.ofNullable(systemProperties.apply("catalina.base")).map(b -> Path.of(b, "conf")).ifPresent(dirs::add);
        Optional.ofNullable(systemProperties.apply("jboss.server.config.dir")).map(Path::of).ifPresent(dirs::add);
        return dirs;
    }

    /** The container's data folder when it has one, else the user's home. */
    Path defaultDatabase() {
        return Optional.ofNullable(systemProperties.apply("jboss.server.data.dir")).map(Path::of)
                .or(() -> Optional.ofNullable(systemProperties.apply("catalina.base")).map(b -> Path.of(b, "data")))
                .orElseGet(() -> Path.of(Optional.ofNullable(systemProperties.apply("user.home")).orElse("."), ".tollgate"))
                .resolve("tollgate").resolve("tollgate.db");
    }

    private static Optional<String> lookupJndi(String name) {
        try {
            Object value = new InitialContext().lookup("java:comp/env/" + name);
            return Optional.ofNullable(value).map(Object::toString);
        } catch (NamingException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
