package dev.tollgate.bench;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.metrics.Interval;
import dev.tollgate.metrics.MetricsJson;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsReport;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.store.Database;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * The read side of issue 7: {@code /_qs/metrics} over a SQLite file seeded with millions of
 * records spread over 90 days. Seeds through {@link UsageTable#insert}, the recorder's own write
 * path, so the rollups are kept as records land, exactly as in production; then times each report
 * (the query and its JSON) in this JVM, the median and the slowest of several runs.
 *
 * <pre>sh bench/metrics.sh [records] [database file]</pre>
 */
public final class MetricsReadBenchmark {
    private static final int BATCH = 5000;
    private static final int RUNS = 9;
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "o3-mini", "claude-sonnet-4", "claude-haiku",
            "gemini-2.5-pro", "gemini-2.5-flash", "gpt-4.1"};
    private static final String[] PROVIDERS = {"openai", "openai", "openai", "anthropic", "anthropic", "gemini", "gemini",
            "azure"};
    private static final int KEYS = 40;
    private static final int USERS = 12;

    private MetricsReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path file = Path.of(args.length > 1 ? args[1] : "bench/.work/metrics.db");
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file) && !seeded(file, records)) {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        }
        Database db = Database.open(file, false);
        try {
            db.migrate();
            if (count(db) == 0) {
                seed(db, records, Instant.now().truncatedTo(ChronoUnit.SECONDS));
            }
            Instant now = Instant.ofEpochMilli(newest(db) + 1); // the period ends with the newest record
            List<String> report = new ArrayList<>();
            report.add("# Reading metrics — " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                    .format(Instant.now().atZone(ZoneOffset.UTC)));
            report.add("");
            report.add(String.format("%,d records over 90 days in SQLite (%,d MiB with indexes and rollups), %d cores, "
                    + "JDK %s; each report (query and JSON) timed %d times after 2 warm-ups, in one JVM.",
                    count(db), Files.size(file) >> 20, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), RUNS));
            report.add("");
            report.add("| period | interval | model filter | median (ms) | slowest (ms) | requests in period |");
            report.add("|---|---|---|---|---|---|");
            MetricsService service = new MetricsService(db);
            for (Object[] q : new Object[][] {{"24 h", Duration.ofHours(24), Interval.HOUR},
                    {"30 days", Duration.ofDays(30), Interval.HOUR}, {"90 days", Duration.ofDays(90), Interval.DAY}}) {
                for (String model : new String[] {null, MODELS[1]}) {
                    report.add(time(service, (String) q[0], new MetricsQuery(now.minus((Duration) q[1]), now,
                            Optional.ofNullable(model), (Interval) q[2], Optional.empty())));
                }
            }
            report.add("");
            save(report);
        } finally {
            db.close();
        }
    }

    /** Prints the table and keeps it as bench/results/metrics-<UTC time>.md and metrics-latest.md. */
    private static void save(List<String> report) throws IOException {
        String text = String.join("\n", report);
        System.out.println(text);
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm")
                .format(Instant.now().atZone(ZoneOffset.UTC));
        Files.writeString(results.resolve("metrics-" + stamp + ".md"), text);
        Files.writeString(results.resolve("metrics-latest.md"), text);
    }

    private static String time(MetricsService service, String label, MetricsQuery q) {
        long[] ms = new long[RUNS];
        MetricsReport last = null;
        for (int warm = 0; warm < 2; warm++) {
            MetricsJson.of(service.report(q));
        }
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            last = service.report(q);
            MetricsJson.of(last).toString();
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        Arrays.sort(ms);
        return String.format("| %s | %s | %s | %d | %d | %,d |", label, q.interval().label(), q.model().orElse("none"),
                ms[RUNS / 2], ms[RUNS - 1], last.totals().requests());
    }

    /** Records in time order over the 90 days before {@code now}, as a busy gateway would have written them. */
    private static void seed(Database db, long n, Instant now) throws Exception {
        Random random = new Random(7);
        UsageTable table = new UsageTable(db, "bench-seed");
        long start = now.minus(Duration.ofDays(90)).toEpochMilli();
        double step = Duration.ofDays(90).toMillis() / (double) n;
        List<Caller> callers = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            callers.add(new Caller(KeyFingerprint.of("sk-bench-" + k), "key-" + k, k % 4 == 3 ? null : "user-" + k % USERS));
        }
        long t0 = System.nanoTime();
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        for (long i = 0; i < n; i++) {
            int key = random.nextInt(KEYS);
            int m = (key + random.nextInt(3)) % MODELS.length; // each key mostly uses three models
            boolean stream = random.nextInt(3) > 0;
            boolean failed = random.nextInt(50) == 0;
            int prompt = 50 + random.nextInt(4000);
            int completion = failed ? 0 : 10 + random.nextInt(800);
            long latency = Math.max(1, (long) Math.exp(6.7 + 0.6 * random.nextGaussian())); // median ~800 ms
            batch.add(new UsageRecord(UUID.randomUUID().toString(), Instant.ofEpochMilli(start + (long) (i * step)),
                    "/v1/chat/completions", stream, MODELS[m], MODELS[m], PROVIDERS[m], PROVIDERS[m] + "#1",
                    callers.get(key), failed ? 502 : 200, latency, stream ? Long.valueOf(latency / 4) : null,
                    new TokenUsage(prompt, completion, prompt + completion, random.nextInt(4) == 0 ? prompt / 2 : 0, 0),
                    UsageQuality.REPORTED, null, failed ? "upstream answered 502" : null, 1, true,
                    new Charge(prompt * 2_500_000L + completion * 10_000_000L, 2_500_000L, 10_000_000L, 1_250_000L)));
            if (batch.size() == BATCH) {
                table.insert(batch);
                batch.clear();
                if ((i + 1) % 1_000_000 == 0) {
                    System.out.printf("seeded %,d records in %d s%n", i + 1, (System.nanoTime() - t0) / 1_000_000_000);
                }
            }
        }
        table.insert(batch);
        System.out.printf("seeded %,d records in %d s%n", n, (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** Whether the file already holds the seed asked for, so a second run skips the minutes of seeding. */
    private static boolean seeded(Path file, long records) {
        Database db = Database.open(file, false);
        try {
            db.migrate();
            return count(db) == records;
        } catch (Exception e) {
            return false;
        } finally {
            db.close();
        }
    }

    private static long newest(Database db) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(ts) FROM usage_records")) {
            return rs.next() ? rs.getLong(1) : System.currentTimeMillis();
        }
    }

    private static long count(Database db) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_records")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
