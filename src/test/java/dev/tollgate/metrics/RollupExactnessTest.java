package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.store.Database;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageRollups;
import dev.tollgate.usage.UsageTable;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports read from the rollups plus the records at a period's edges must equal what the records
 * alone say, for any period: random periods with odd millisecond edges are checked against sums
 * computed here from what was written. On SQLite here; {@code RollupsPostgresIT} runs the same on
 * a real PostgreSQL.
 */
public class RollupExactnessTest {
    private static final Instant START = Instant.parse("2026-10-28T07:13:00Z");
    private static final long SPAN_MS = 12L * 86_400_000L;
    private static final String[] MODELS = {"gpt-4o", "mini", "claude", null};
    private static final String[] USERS = {"ann", "bob", null};
    /** The last one shares its masked form ***t-1 with sk-test-1: a breakdown by key must not merge them. */
    private static final String[] KEYS = {"sk-test-0", "sk-test-1", "sk-test-2", "sk-test-3", "sk-alt-t-1"};

    @TempDir
    Path dir;
    private Database db;
    private UsageTable table;
    private final List<UsageRecord> written = new ArrayList<>();
    private final Random random = new Random(42);

    @BeforeEach
    void open() throws Exception {
        db = openDatabase(dir);
        db.migrate();
        table = new UsageTable(db, "test");
        for (int batch = 0; batch < 8; batch++) {
            List<UsageRecord> records = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                records.add(randomRecord());
            }
            table.insert(records);
            written.addAll(records);
        }
    }

    /** The database under test, not yet migrated. */
    protected Database openDatabase(Path folder) {
        return Database.open(folder.resolve("t.db"), false);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anyPeriodEqualsTheSumsOfItsRecords() {
        MetricsService service = new MetricsService(db);
        Interval[] widths = Interval.values();
        for (int n = 0; n < 150; n++) {
            long a = START.toEpochMilli() - 86_400_000L + (long) (random.nextDouble() * (SPAN_MS + 2 * 86_400_000L));
            long b = a + 1 + (long) (random.nextDouble() * random.nextDouble() * SPAN_MS);
            Interval width = n % 3 == 0 ? Interval.HOUR : widths[1 + random.nextInt(widths.length - 1)];
            String model = n % 4 == 0 ? MODELS[random.nextInt(3)] : null;
            MetricsQuery q = new MetricsQuery(Instant.ofEpochMilli(a), Instant.ofEpochMilli(b), Optional.ofNullable(model),
                    width, Optional.empty());
            if (q.bucketCount() > MetricsQuery.MAX_BUCKETS) {
                continue;
            }
            check(service.report(q), q);
        }
    }

    @Test
    void aCallersReportUsesTheSameSums() {
        MetricsQuery all = new MetricsQuery(START.plusMillis(12_345), START.plusMillis(SPAN_MS - 777), Optional.empty(),
                Interval.DAY, Optional.empty());
        check(new MetricsService(db).report(all.within(MetricsQuery.Scope.user("ann"))), all.within(MetricsQuery.Scope.user("ann")));
        MetricsQuery.Scope key = MetricsQuery.Scope.apiKeyHash(KeyFingerprint.of("sk-test-1").hash());
        check(new MetricsService(db).report(all.within(key)), all.within(key));
    }

    @Test
    void aRetriedBatchIsNotCountedTwice() throws Exception {
        List<UsageRecord> again = new ArrayList<>(written.subList(0, 300));
        UsageRecord fresh = randomRecord();
        again.add(fresh);
        table.insert(again);
        written.add(fresh);
        MetricsQuery q = whole(Interval.DAY);
        check(new MetricsService(db).report(q), q);
    }

    @Test
    void retentionDeletesWholeDaysWithTheirRollups() throws Exception {
        Instant cutoff = START.plus(Duration.ofDays(5)).plusSeconds(3 * 3600 + 17);
        long day = UsageRollups.Grain.DAY.floor(cutoff.toEpochMilli());
        int deleted = table.deleteBefore(cutoff);
        assertEquals(written.stream().filter(r -> r.timestamp().toEpochMilli() < day).count(), deleted,
                "every record of the days before the cutoff's day, none of its day");
        written.removeIf(r -> r.timestamp().toEpochMilli() < day);
        for (Interval width : List.of(Interval.HOUR, Interval.DAY)) {
            MetricsQuery q = whole(width);
            check(new MetricsService(db).report(q), q);
        }
    }

    @Test
    void theUpgradeBuildsTheSameRollupsAsTheWrites() throws Exception {
        Map<String, String> incremental = rollupRows();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String table : UsageRollups.TABLES) {
                s.execute("DELETE FROM " + table);
            }
            for (String statement : migration().split(";\\s*\\n")) {
                if (statement.strip().startsWith("INSERT")) {
                    s.execute(statement);
                }
            }
        }
        assertTrue(incremental.size() > 1000, "rollups were written: " + incremental.size());
        assertEquals(incremental, rollupRows(), "V8's own fill equals what the writes kept");
    }

    @Test
    void latencyIsCutToTwoSignificantDigits() {
        assertEquals(0, UsageRollups.latencyFloor(0));
        assertEquals(99, UsageRollups.latencyFloor(99));
        assertEquals(980, UsageRollups.latencyFloor(987));
        assertEquals(1200, UsageRollups.latencyFloor(1234));
        assertEquals(65_000, UsageRollups.latencyFloor(65_432));
    }

    private MetricsQuery whole(Interval width) {
        return new MetricsQuery(START.minusSeconds(86_400), START.plusMillis(SPAN_MS + 86_400_000L), Optional.empty(),
                width, Optional.empty());
    }

    private void check(MetricsReport r, MetricsQuery q) {
        List<UsageRecord> in = written.stream()
                .filter(w -> !w.timestamp().isBefore(q.from()) && w.timestamp().isBefore(q.to()))
                .filter(w -> q.model().isEmpty() || q.model().get().equals(w.model()))
                .filter(w -> q.scope().isEmpty() || q.scope().get().value().equals(scopeValue(w, q.scope().get())))
                .toList();
        String what = q.from() + " .. " + q.to() + " " + q.interval() + " " + q.model() + " " + q.scope();
        assertEquals(sum(in), r.totals(), what);
        List<Long> latencies = in.stream().map(UsageRecord::latencyMs).sorted().toList();
        long p95 = in.isEmpty() ? 0 : UsageRollups.latencyFloor(latencies.get((int) Math.ceil(0.95 * in.size()) - 1));
        assertEquals(p95, r.p95LatencyMs(), "p95 of " + what);
        Map<Instant, List<UsageRecord>> byBucket = in.stream()
                .collect(Collectors.groupingBy(w -> q.interval().floor(w.timestamp())));
        for (MetricsReport.Bucket b : r.timeseries()) {
            assertEquals(sum(byBucket.getOrDefault(b.start(), List.of())), b.totals(), "bucket " + b.start() + " of " + what);
        }
        assertEquals(groups(in, w -> w.model() == null ? "unrouted" : w.model()), asMap(r.byModel()), "by model, " + what);
        assertEquals(groups(in, w -> w.caller().userId() == null ? "(none)" : w.caller().userId()), asMap(r.byUser()),
                "by user, " + what);
        assertEquals(byKey(in), asMap(r.byApiKey()), "by key, " + what);
        assertEquals(groups(in, w -> w.provider() == null ? "unrouted" : w.provider()), asMap(r.byProvider()),
                "by provider, " + what);
        List<Long> order = r.byModel().stream().map(g -> g.totals().tokens()).toList();
        assertEquals(order.stream().sorted(Comparator.reverseOrder()).toList(), order, "biggest first");
    }

    private static String scopeValue(UsageRecord w, MetricsQuery.Scope s) {
        return switch (s.column()) {
            case "user_id" -> w.caller().userId();
            case "api_key_hash" -> w.apiKey().hash();
            default -> w.apiKey().masked();
        };
    }

    private static Map<String, Totals> groups(List<UsageRecord> in, Function<UsageRecord, String> key) {
        Map<String, List<UsageRecord>> by = in.stream().collect(Collectors.groupingBy(key));
        Map<String, Totals> out = new TreeMap<>();
        by.forEach((k, v) -> out.put(k, sum(v)));
        return out;
    }

    /** By key: one group per key, labelled by its masked form plus the start of its hash where two share it. */
    private static Map<String, Totals> byKey(List<UsageRecord> in) {
        Map<KeyFingerprint, List<UsageRecord>> by = in.stream().collect(Collectors.groupingBy(UsageRecord::apiKey));
        Map<String, Long> sharing = by.keySet().stream()
                .collect(Collectors.groupingBy(KeyFingerprint::masked, Collectors.counting()));
        Map<String, Totals> out = new TreeMap<>();
        by.forEach((k, v) -> out.put(sharing.get(k.masked()) > 1 ? k.masked() + " (" + k.hash().substring(0, 8) + ")"
                : k.masked(), sum(v)));
        return out;
    }

    private static Map<String, Totals> asMap(List<MetricsReport.Group> groups) {
        Map<String, Totals> out = new TreeMap<>();
        groups.forEach(g -> out.put(g.key(), g.totals()));
        return out;
    }

    private static Totals sum(List<UsageRecord> records) {
        Totals t = Totals.ZERO;
        for (UsageRecord w : records) {
            boolean ttft = w.stream() && w.ttfbMs() != null;
            t = t.plus(new Totals(1, w.tokens().total(), w.tokens().prompt(), w.tokens().completion(),
                    w.tokens().reasoning(), w.tokens().cached(), w.failed() ? 1 : 0, w.latencyMs(),
                    w.charge() == null ? 0 : w.charge().costPicoUsd(),
                    w.charge() == null && w.tokens().total() > 0 ? 1 : 0, ttft ? w.ttfbMs() : 0, ttft ? 1 : 0));
        }
        return t;
    }

    private UsageRecord randomRecord() {
        Instant at = START.plusMillis((long) (random.nextDouble() * SPAN_MS));
        String model = MODELS[random.nextInt(MODELS.length)];
        int key = random.nextInt(KEYS.length);
        boolean stream = random.nextBoolean();
        int prompt = random.nextInt(2000);
        int completion = random.nextInt(500);
        long latency = (long) Math.exp(random.nextDouble() * 10); // 1 ms .. 22 s, every digit count
        return new UsageRecord(UUID.randomUUID().toString(), at, "/v1/chat/completions", stream, model, model,
                model == null ? null : "openai", model == null ? null : "openai#1",
                new Caller(KeyFingerprint.of(KEYS[key]), null, USERS[key % USERS.length]),
                random.nextInt(10) == 0 ? 429 : 200, latency, stream && random.nextBoolean() ? Long.valueOf(latency / 3) : null,
                new TokenUsage(prompt, completion, prompt + completion, random.nextInt(50), random.nextInt(20)),
                UsageQuality.REPORTED, null, null, 1, true,
                model == null || model.equals("mini") ? null : new Charge(random.nextInt(1_000_000), 1, 2, 3));
    }

    private Map<String, String> rollupRows() throws Exception {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (String table : UsageRollups.TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder(table);
                        for (int i = 1; i <= columns; i++) {
                            row.append('|').append(rs.getString(i));
                        }
                        rows.put(row.toString(), "");
                    }
                }
            }
        }
        return rows;
    }

    private static String migration() throws Exception {
        try (InputStream in = RollupExactnessTest.class.getClassLoader()
                .getResourceAsStream("db/migration/common/V8__usage_rollups.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
