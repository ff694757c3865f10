package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.store.Database;
import dev.tollgate.usage.StatusRange;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The requests page's status filter: one code, a class, or every error, over real records in SQLite. */
class UsageLogStatusTest {
    @TempDir
    Path dir;

    @Test
    void aStatusFilterTakesACodeAClassOrEveryError() throws Exception {
        Database db = Database.open(dir.resolve("t.db"), false);
        try {
            db.migrate();
            Instant t = Instant.parse("2026-12-01T10:00:00Z");
            List<UsageRecord> records = new ArrayList<>();
            int[] statuses = {200, 200, 201, 400, 429, 429, 499, 500, 502, 599};
            for (int i = 0; i < statuses.length; i++) {
                records.add(new UsageRecord("r" + i, t.plusSeconds(i), "/v1/chat/completions", false, "m", "m", "openai",
                        "openai#1", new Caller(KeyFingerprint.of("sk-status"), "k", null), statuses[i], 5, null,
                        TokenUsage.of(1, 1), UsageQuality.REPORTED, null, null, 1, true, null));
            }
            new UsageTable(db, "test").insert(records);
            UsageLog log = new UsageLog(db);
            assertEquals(List.of(429, 429), statuses(log, "429"));
            assertEquals(List.of(201, 200, 200), statuses(log, "2xx"));
            assertEquals(List.of(599, 502, 500), statuses(log, "5xx"));
            assertEquals(List.of(599, 502, 500, 499, 429, 429, 400), statuses(log, "error"));
        } finally {
            db.close();
        }
    }

    private static List<Integer> statuses(UsageLog log, String status) {
        return log.find(new UsageLog.Filter(Optional.empty(), Instant.parse("2026-12-01T00:00:00Z"),
                Instant.parse("2026-12-02T00:00:00Z"), Optional.empty(), Optional.of(StatusRange.parse(status))), 100, 0)
                .stream().map(UsageLog.Entry::status).toList();
    }
}
