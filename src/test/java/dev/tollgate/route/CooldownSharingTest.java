package dev.tollgate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.config.ProviderCredential.WireSettings;
import dev.tollgate.store.Database;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A credential rested by one instance is rested by the others on the same database after their refresh. */
public class CooldownSharingTest {
    @TempDir
    Path dir;

    @Test
    void restsAreSharedThroughSqlite() {
        try (Database db = Database.open(dir.resolve("t.db"), false)) {
            db.migrate();
            restsAreShared(db);
        }
    }

    /** Also run against a real PostgreSQL by it/postgresql/FleetCooldownsIT. */
    public static void restsAreShared(Database db) {
        ProviderCredential openai = new ProviderCredential("p-openai", Wire.OPENAI, "openai#1", "secret",
                URI.create("https://x/v1"), List.of(), Optional.empty(), List.of(), Map.of(), 1, false, WireSettings.None.INSTANCE, Optional.empty());
        Cooldowns a = new Cooldowns(Duration.ofSeconds(10), Duration.ofMinutes(5), Clock.systemUTC());
        Cooldowns b = new Cooldowns(Duration.ofSeconds(10), Duration.ofMinutes(5), Clock.systemUTC());
        a.share(new CooldownStore(db, "a"), Runnable::run);
        b.share(new CooldownStore(db, "b"), Runnable::run);
        b.refresh();
        assertFalse(b.cooling(openai));
        a.failed(openai, Optional.of(Duration.ofMinutes(2)), "429 from the upstream");
        assertFalse(b.cooling(openai), "not before b's refresh");
        b.refresh();
        assertTrue(b.cooling(openai), "b rests the credential a saw refused");
        assertEquals("429 from the upstream", b.snapshot().get("openai#1").lastError());
        // a longer rest b started itself is not shortened by a's
        b.failed(openai, Optional.of(Duration.ofMinutes(4)), "b's own");
        b.refresh();
        assertEquals("b's own", b.snapshot().get("openai#1").lastError());
    }
}
