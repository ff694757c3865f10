package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {
    @TempDir
    Path dir;

    @Test
    void jndiWinsOverPropertyOverEnvironmentOverContainerFolder() throws IOException {
        Path jndi = Files.writeString(dir.resolve("a.yaml"), "api-keys: [from-jndi]\n");
        Path prop = Files.writeString(dir.resolve("b.yaml"), "api-keys: [from-property]\n");
        Path env = Files.writeString(dir.resolve("c.yaml"), "api-keys: [from-env]\n");
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/tollgate.yaml"), "api-keys: [from-catalina]\n");
        Map<String, String> props = Map.of("tollgate.config", prop.toString(), "catalina.base", dir.toString());
        Map<String, String> environment = Map.of("TOLLGATE_CONFIG", env.toString());

        assertEquals("from-jndi", new ConfigLocator(n -> n.equals("tollgate/config")
                ? Optional.of(jndi.toString()) : Optional.empty(), props::get, environment).load().config().apiKeys().get(0));
        assertEquals("from-property", new ConfigLocator(n -> Optional.empty(), props::get, environment).load()
                .config().apiKeys().get(0));
        assertEquals("from-env", new ConfigLocator(n -> Optional.empty(),
                Map.of("catalina.base", dir.toString())::get, environment).load().config().apiKeys().get(0));
        assertEquals("from-catalina", new ConfigLocator(n -> Optional.empty(),
                Map.of("catalina.base", dir.toString())::get, Map.of()).load().config().apiKeys().get(0));
    }

    @Test
    void noFileMeansDefaultsInTheContainerDataFolder() {
        TollgateConfig c = new ConfigLocator(n -> Optional.empty(),
                Map.of("catalina.base", dir.toString())::get, Map.of()).load().config();
        assertEquals(dir.resolve("data/tollgate/tollgate.db"), c.persistence().path());
        assertEquals(0, c.credentials().size());
    }

    @Test
    void aNamedFileThatIsMissingFails() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLocator(n -> Optional.empty(),
                Map.of("tollgate.config", dir.resolve("nope.yaml").toString())::get, Map.of()).load());
        assertEquals(true, e.getMessage().contains("does not exist"));
    }

    @Test
    void masterPasswordFromEnvironmentThenJndi() throws IOException {
        String enc = SecretDecryptor.encrypt("upstream-key", "pw");
        Path file = Files.writeString(dir.resolve("t.yaml"), "openai-api-key:\n  - api-key: " + enc + "\n");
        Map<String, String> props = Map.of("tollgate.config", file.toString());
        assertEquals("upstream-key", new ConfigLocator(n -> Optional.empty(), props::get,
                Map.of("TOLLGATE_MASTER_PASSWORD", "pw")).load().config().credentials().get(0).apiKey());
        assertEquals("upstream-key", new ConfigLocator(n -> n.equals("tollgate/master-password")
                ? Optional.of("pw") : Optional.empty(), props::get, Map.of()).load().config().credentials().get(0).apiKey());
    }
}
