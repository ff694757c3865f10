package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the file: only a whole, valid file is put in force; a bad one is refused with its line. */
class ConfigReloaderTest {
    @TempDir
    Path dir;

    private final List<TollgateConfig> applied = new ArrayList<>();
    private Map<String, String> environment = Map.of();

    private ConfigLocator locator() {
        return new ConfigLocator(n -> Optional.empty(), Map.of("user.home", dir.toString())::get, environment);
    }

    private Fixture start(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("tollgate.yaml"), yaml);
        ConfigLocator.Loaded first = locator().read(file);
        LiveConfig live = new LiveConfig(first.config(), first.hash(), Instant.EPOCH);
        ConfigReloader reloader = new ConfigReloader(locator(), Optional.of(file), live, (before, next) -> {
            if (next.requestRetry() == 7) {
                throw new ConfigException("tollgate config: the target refuses this one");
            }
            applied.add(next);
        }, Clock.systemUTC());
        return new Fixture(file, live, reloader);
    }

    private record Fixture(Path file, LiveConfig live, ConfigReloader reloader) {
        void write(String yaml) throws Exception {
            Files.writeString(file, yaml);
        }
    }

    private static final String GOOD = "api-keys: [k1]\nmock:\n  - name: m\n";

    @Test
    void aValidFileIsAppliedAndItsHashShown() throws Exception {
        Fixture f = start(GOOD);
        String before = f.live().status().hash();
        assertInstanceOf(ConfigReloader.Outcome.Unchanged.class, f.reloader().reload());
        f.write(GOOD + "request-retry: 2\ninstance-id: other\n");
        ConfigReloader.Outcome.Applied a = assertInstanceOf(ConfigReloader.Outcome.Applied.class, f.reloader().reload());
        assertEquals(2, f.live().get().requestRetry());
        assertEquals(1, applied.size());
        assertNotEquals(before, f.live().status().hash());
        assertEquals(a.hash(), f.live().status().hash());
        assertEquals(List.of("instance-id"), a.restartNeeded());
        assertTrue(f.live().status().lastError().isEmpty());
    }

    @Test
    void aBadFileIsRefusedWithItsLineAndTheRunningConfigStays() throws Exception {
        Fixture f = start(GOOD);
        String hash = f.live().status().hash();
        String[][] bad = {
            {"api-keys: [k1]\nmock:\n  - name: m\n  latency: [oops\n", "not valid YAML"},
            {"api-keys: [k1]\nopenai-api-key:\n  - base-url: https://x.example\n", "'openai-api-key[0].api-key' (line 3) is required"},
            {"openai-compatibility:\n  - name: x\n    base-url: https://x.example\n    api-key: k\n    wire-api: grpc\n",
                "'openai-compatibility[0].wire-api' (line 5) must be"},
            {"claude-api-key:\n  - api-key: ENC(bm90IGEgc2VjcmV0)\n", "'claude-api-key[0].api-key' (line 2) is encrypted"},
            {"api-keys: [k1]\nclaude-api-keys:\n  - api-key: sk-ant\n", "'claude-api-keys' (line 3) is not a provider section"},
            {"request-retry: 7\n", "the target refuses this one"},
        };
        for (String[] b : bad) {
            f.write(b[0]);
            ConfigReloader.Outcome.Refused r = assertInstanceOf(ConfigReloader.Outcome.Refused.class, f.reloader().reload());
            assertTrue(r.error().contains(b[1]), r.error());
            assertEquals(hash, f.live().status().hash(), "the old config stays in force");
            assertEquals(List.of("k1"), f.live().get().apiKeys());
            assertEquals(r.error(), f.live().status().lastError().orElseThrow().message());
        }
        assertTrue(applied.isEmpty(), "the target never saw a bad file");
        f.write(GOOD + "request-retry: 3\n");
        assertInstanceOf(ConfigReloader.Outcome.Applied.class, f.reloader().reload());
        assertTrue(f.live().status().lastError().isEmpty(), "a good file clears the error");
    }

    @Test
    void environmentValuesExpandAndAMissingOneNamesItsKeyAndLine() throws Exception {
        environment = Map.of("CLIENT_KEY", "from-env");
        Fixture f = start("api-keys:\n  - ${CLIENT_KEY}\n  - ${UNSET_KEY:-fallback}\nrequest-retry: ${RETRIES:-4}\n");
        assertEquals(List.of("from-env", "fallback"), f.live().get().apiKeys());
        assertEquals(4, f.live().get().requestRetry());
        f.write("api-keys:\n  - ok\n  - ${NOT_SET}\n");
        ConfigReloader.Outcome.Refused r = assertInstanceOf(ConfigReloader.Outcome.Refused.class, f.reloader().reload());
        assertTrue(r.error().contains("'api-keys[1].key' (line 3)") && r.error().contains("NOT_SET"), r.error());
        assertEquals("literal ${x}", new EnvironmentValues(Map.of()).apply("literal $${x}"));
        assertThrows(IllegalStateException.class, () -> new EnvironmentValues(Map.of("E", "")).apply("${E}"));
    }

    @Test
    void theWatchAppliesAChangedFileWithoutBeingAsked() throws Exception {
        Fixture f = start(GOOD);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            f.reloader().watch(timer, Duration.ofMillis(50));
            f.write(GOOD + "request-retry: 5\n");
            Files.setLastModifiedTime(f.file(), FileTime.from(Instant.now().plusSeconds(5)));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (f.live().get().requestRetry() != 5 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(5, f.live().get().requestRetry());
            assertEquals(1, applied.size(), "applied once, however many times the watch looked");
        } finally {
            timer.shutdownNow();
        }
    }
}
