package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.nio.file.Path;
import java.util.Optional;

/** The YAML config on any text: a config, or a {@link ConfigException} naming what is wrong. */
class ConfigFuzzTest {
    private static final ConfigParser PARSER = new ConfigParser(v -> v, w -> { });

    @FuzzTest(maxDuration = "30s")
    void anyTextIsAConfigOrAClearError(@NotNull String yaml) {
        try {
            TollgateConfig c = PARSER.parse(yaml, Optional.empty(), Path.of("/tmp/tollgate.db"));
            assertNotNull(c.input());
        } catch (ConfigException e) {
            assertNotNull(e.getMessage());
        }
    }
}
