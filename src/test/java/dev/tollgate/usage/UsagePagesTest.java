package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyset pages ({@link Sql#pages}) over usage records: every row once, in (ts, id) order, ties in one millisecond included. */
class UsagePagesTest {
    @TempDir
    Path dir;

    @Test
    void everyRowOnceInOrderAcrossPagesAndTies() throws Exception {
        try (Database db = Database.open(dir.resolve("p.db"), false)) {
            db.migrate();
            List<UsageRecord> records = new ArrayList<>();
            for (int i = 0; i < 250; i++) { // 50 milliseconds, five records in each
                records.add(new UsageRecord(String.format("r-%03d", i), Instant.ofEpochMilli(1_000 + i / 5), "/v1/chat/completions",
                        false, "m", "m", "openai", "c", Caller.of(KeyFingerprint.of("sk-pages")), 200, 1, null,
                        TokenUsage.of(1, 1), UsageQuality.REPORTED, null, null, 1, true, null));
            }
            new UsageTable(db, "i").insert(records);
            for (int size : new int[] {1, 7, 100, 125, 250, 1000}) {
                List<String> seen = new ArrayList<>();
                List<Integer> pages = new ArrayList<>();
                new Sql(db).pages("SELECT id, ts FROM usage_records", "ts >= ?", List.of(1_010L), size,
                        rs -> new Object[] {rs.getLong(2), rs.getString(1)}, r -> r, rows -> {
                            pages.add(rows.size());
                            rows.forEach(r -> seen.add((String) r[1]));
                        });
                assertEquals(records.stream().skip(50).map(UsageRecord::id).toList(), seen, "page size " + size);
                assertEquals(200 / size + (200 % size == 0 ? 0 : 1), pages.size(), "page size " + size);
            }
        }
    }
}
