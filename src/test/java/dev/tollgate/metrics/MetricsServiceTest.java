package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.store.Database;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregation on a real SQLite file: totals, groups and every bucket equal the sums of what was written. */
class MetricsServiceTest {
    @TempDir
    Path dir;
    private Database db;
    private final List<UsageRecord> written = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir.resolve("t.db"), false);
        db.migrate();
        Instant base = Instant.parse("2026-11-02T00:00:00Z"); // a Monday
        String[] models = {"gpt-4o", "mini", "gpt-4o"};
        // 3 records every 5 hours for 20 days; every 7th one failed
        for (int i = 0; i < 96; i++) {
            Instant at = base.plusSeconds(i * 5L * 3600 + 59);
            for (int m = 0; m < 3; m++) {
                int status = (i + m) % 7 == 0 ? 502 : 200;
                written.add(new UsageRecord(UUID.randomUUID().toString(), at, "/v1/chat/completions", m == 1,
                        models[m], models[m], "openai", "openai#1",
                        new Caller(KeyFingerprint.of("sk-key-" + m), null, m == 2 ? "carol" : null), status, 100 + i,
                        m == 1 ? Long.valueOf(20 + i) : null, new TokenUsage(10 + i, m + 1, 10 + i + m + 1, m, i % 2), UsageQuality.REPORTED, null,
                        null, 1, true, m == 1 ? null : new Charge(1_000_000L * i + 7, 1, 2, 3)));
            }
        }
        new UsageTable(db, "test").insert(written);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void totalsGroupsAndBucketsAddUp() {
        MetricsQuery q = MetricsQuery.parse("2026-11-01", "2026-12-01", null, "day", Instant.now());
        MetricsReport r = new MetricsService(db).report(q);

        assertEquals(expected(written), r.totals());
        assertEquals(20 + 95 / 2.0, r.totals().avgTtftMs(), 1e-9, "TTFT averages the streamed records only");
        List<Long> latencies = written.stream().map(UsageRecord::latencyMs).sorted().toList();
        assertEquals(latencies.get((int) Math.ceil(0.95 * latencies.size()) - 1) / 10 * 10, r.p95LatencyMs(),
                "the nearest-rank p95, cut to two significant digits");
        assertEquals(30, r.timeseries().size(), "every day of November present, empty ones too");
        Totals fromBuckets = r.timeseries().stream().map(MetricsReport.Bucket::totals).reduce(Totals.ZERO, Totals::plus);
        assertEquals(r.totals(), fromBuckets);
        assertEquals(Totals.ZERO, r.timeseries().get(0).totals(), "Nov 1 had no records");

        Map<Instant, List<UsageRecord>> byDay = new TreeMap<>();
        written.forEach(w -> byDay.computeIfAbsent(Interval.DAY.floor(w.timestamp()), k -> new ArrayList<>()).add(w));
        for (MetricsReport.Bucket b : r.timeseries()) {
            assertEquals(expected(byDay.getOrDefault(b.start(), List.of())), b.totals(), "bucket " + b.start());
        }

        assertEquals(2, r.byModel().size());
        for (MetricsReport.Group g : r.byModel()) {
            assertEquals(expected(written.stream().filter(w -> w.model().equals(g.key())).toList()), g.totals());
        }
        assertEquals(3, r.byApiKey().size());
        assertEquals(expected(written.stream().filter(w -> w.apiKey().masked().equals("***y-1")).toList()),
                r.byApiKey().stream().filter(g -> g.key().equals("***y-1")).findFirst().orElseThrow().totals());
        assertEquals(r.totals(), r.byProvider().get(0).totals());
        assertEquals(List.of("(none)", "carol"), r.byUser().stream().map(MetricsReport.Group::key).sorted().toList());
        assertEquals(expected(written.stream().filter(w -> "carol".equals(w.caller().userId())).toList()),
                r.byUser().stream().filter(g -> g.key().equals("carol")).findFirst().orElseThrow().totals());
        assertEquals(96, r.totals().unpricedRequests(), "the 'mini' records had no price");
        long cost = written.stream().filter(w -> w.charge() != null).mapToLong(w -> w.charge().costPicoUsd()).sum();
        assertEquals(new BigDecimal(cost).movePointLeft(12).stripTrailingZeros(), r.totals().costUsd());
    }

    @Test
    void weeksMonthsAndTheModelFilter() {
        MetricsReport weeks = new MetricsService(db).report(
                MetricsQuery.parse("2026-11-02", "2026-11-30", "mini", "week", Instant.now()));
        assertEquals(4, weeks.timeseries().size());
        assertEquals(expected(written.stream().filter(w -> w.model().equals("mini")).toList()), weeks.totals());
        assertEquals(1, weeks.byModel().size());

        MetricsReport months = new MetricsService(db).report(
                MetricsQuery.parse("2026-10-15", "2026-12-15", null, "month", Instant.now()));
        assertEquals(List.of(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z")), months.timeseries().stream().map(MetricsReport.Bucket::start).toList());
        assertEquals(expected(written), months.timeseries().get(1).totals());
    }

    @Test
    void scopeNarrowsEveryFigureToOneUserOrKey() {
        MetricsQuery all = MetricsQuery.parse("2026-11-01", "2026-12-01", null, "day", Instant.now());
        MetricsReport carol = new MetricsService(db).report(all.within(MetricsQuery.Scope.user("carol")));
        assertEquals(expected(written.stream().filter(w -> "carol".equals(w.caller().userId())).toList()),
                carol.totals());
        assertEquals(List.of("carol"), carol.byUser().stream().map(MetricsReport.Group::key).toList());
        String hash = KeyFingerprint.of("sk-key-1").hash();
        MetricsReport key = new MetricsService(db).report(all.within(MetricsQuery.Scope.apiKeyHash(hash)));
        assertEquals(expected(written.stream().filter(w -> hash.equals(w.apiKey().hash())).toList()), key.totals());
        assertEquals(List.of("mini"), key.byModel().stream().map(MetricsReport.Group::key).toList());
    }

    @Test
    void keysThatShareAMaskedFormAreKeptApart() throws Exception {
        Instant at = Instant.parse("2027-01-05T10:00:00Z");
        List<UsageRecord> january = new ArrayList<>();
        for (String key : List.of("sk-alpha-xyz", "sk-bravo-xyz", "sk-bravo-xyz", "sk-other-abc")) {
            january.add(new UsageRecord(UUID.randomUUID().toString(), at, "/v1/chat/completions", false, "mini", "mini",
                    "openai", "openai#1", new Caller(KeyFingerprint.of(key), null, null), 200, 100, null,
                    new TokenUsage(10, 5, 15, 0, 0), UsageQuality.REPORTED, null, null, 1, true, null));
        }
        new UsageTable(db, "test").insert(january);
        // whole days come from the rollups, an hour cut mid-way from the records themselves
        for (List<String> period : List.of(List.of("2027-01-01", "2027-02-01", "day"),
                List.of("2027-01-01", "2027-02-01", "hour"),
                List.of("2027-01-05T09:30:00Z", "2027-01-05T10:30:00Z", "hour"))) {
            MetricsReport r = new MetricsService(db).report(
                    MetricsQuery.parse(period.get(0), period.get(1), null, period.get(2), Instant.now()));
            Map<String, Long> requests = new TreeMap<>();
            r.byApiKey().forEach(g -> requests.put(g.key(), g.totals().requests()));
            String alpha = KeyFingerprint.of("sk-alpha-xyz").hash().substring(0, 8);
            String bravo = KeyFingerprint.of("sk-bravo-xyz").hash().substring(0, 8);
            assertEquals(Map.of("***xyz (" + alpha + ")", 1L, "***xyz (" + bravo + ")", 2L, "***abc", 1L), requests,
                    period.toString());
        }
    }

    @Test
    void periodIsHalfOpen() {
        Instant first = written.get(0).timestamp();
        MetricsReport r = new MetricsService(db).report(
                MetricsQuery.parse(first.toString(), first.plusMillis(1).toString(), null, "hour", Instant.now()));
        assertEquals(3, r.totals().requests());
        MetricsReport none = new MetricsService(db).report(
                MetricsQuery.parse(first.minusSeconds(60).toString(), first.toString(), null, "hour", Instant.now()));
        assertEquals(0, none.totals().requests());
    }

    private static Totals expected(List<UsageRecord> records) {
        Totals t = Totals.ZERO;
        for (UsageRecord w : records) {
            t = t.plus(new Totals(1, w.tokens().total(), w.tokens().prompt(), w.tokens().completion(),
                    w.tokens().reasoning(), w.tokens().cached(), w.failed() ? 1 : 0, w.latencyMs(),
                    w.charge() == null ? 0 : w.charge().costPicoUsd(), w.charge() == null ? 1 : 0,
                    w.stream() && w.ttfbMs() != null ? w.ttfbMs() : 0, w.stream() && w.ttfbMs() != null ? 1 : 0));
        }
        return t;
    }
}
