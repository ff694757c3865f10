package dev.tollgate.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ConfigParser;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.route.Cooldowns;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What a reload carries over: the rests of credentials that are the same upstream account in both files. */
class ReconfigurationTest {
    private static List<ProviderCredential> credentials(String yaml) {
        return new ConfigParser(UnaryOperator.identity(), w -> { }).parse(yaml, Optional.empty(), Path.of("x.db")).credentials();
    }

    @Test
    void aCredentialThatMovedKeepsItsRestAndOneWhoseKeyChangedStartsClean() {
        List<ProviderCredential> before = credentials("openai-api-key:\n  - api-key: sk-a\n  - api-key: sk-b\n");
        // a new key first (labels shift), sk-a unchanged further down, sk-b rotated to sk-b2
        List<ProviderCredential> after = credentials("openai-api-key:\n  - api-key: sk-new\n  - api-key: sk-a\n"
                + "    weight: 3\n  - api-key: sk-b2\n");
        Map<String, String> kept = Reconfiguration.kept(before, after);
        assertEquals(Map.of("openai#1", "openai#2"), kept);

        Cooldowns cooldowns = new Cooldowns(Duration.ofMinutes(1), Duration.ofMinutes(5), Clock.systemUTC());
        cooldowns.failed(before.get(0), Optional.empty(), "429");
        cooldowns.failed(before.get(1), Optional.empty(), "500");
        cooldowns.carryOver(kept);
        assertFalse(cooldowns.cooling(after.get(0)), "the new key was never rested");
        assertTrue(cooldowns.cooling(after.get(1)), "sk-a is still resting under its new label");
        assertFalse(cooldowns.cooling(after.get(2)), "a rotated key starts with a clean slate");
        assertEquals(1, cooldowns.snapshot().get("openai#2").failures());
    }
}
