package dev.tollgate.dashboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsReport;
import dev.tollgate.metrics.MetricsReport.Group;
import dev.tollgate.metrics.Totals;
import dev.tollgate.metrics.UsageLog;
import dev.tollgate.ops.LogBuffer;
import dev.tollgate.route.CredentialStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The templates with no data, with data, and with hostile names that must come out as text. */
class PagesTest {
    private static final String HOSTILE_MODEL = "<script>alert('model')</script>";
    private static final String HOSTILE_KEY = "\"><img src=x onerror=alert(1)>";
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final Pages pages = new Pages();

    private static Map<String, Object> overview(MetricsReport report, List<Group> models) {
        Map<String, Object> m = DashboardResource.frame("overview", "/tollgate", "http://gw:8080", false, "tg-viewer",
                "eu-1", "gpt-4o-mini");
        TimeRange period = TimeRange.of("24h", null, null, NOW);
        m.put("period", period);
        m.put("model", "");
        m.put("report", report);
        m.put("models", models);
        return m;
    }

    private static Totals totals(long requests, long tokens, long costPicoUsd) {
        return new Totals(requests, tokens, tokens / 2, tokens / 2, 0, 0, 1, requests * 120, costPicoUsd, 0, 300, 2);
    }

    @Test
    void anEmptyOverviewSaysWhatToDoNext() {
        MetricsQuery q = TimeRange.of("24h", null, null, NOW).query(null, NOW);
        String html = pages.render("overview", overview(new MetricsReport(q, Totals.ZERO, 0, List.of(), List.of(),
                List.of(), List.of(), List.of()), List.of()));
        assertTrue(html.contains("No requests in this period yet"), html);
        assertTrue(html.contains("curl http://gw:8080/tollgate/v1/chat/completions"), "a curl to try");
        assertTrue(html.contains("\"model\":\"gpt-4o-mini\""));
        assertTrue(html.contains("id=\"kpi-requests\" aria-labelledby=\"l-requests\" data-value=\"0\""));
        assertFalse(html.contains("Keys &amp; users"), "viewers see no admin link");
    }

    @Test
    void aFullOverviewShowsTheFiguresAndEscapesHostileNames() {
        MetricsQuery q = TimeRange.of("24h", null, null, NOW).query(null, NOW);
        Totals all = totals(1234, 56789, 1_500_000_000L);
        List<Group> models = List.of(new Group(HOSTILE_MODEL, all));
        String html = pages.render("overview", overview(new MetricsReport(q, all, 250, models,
                List.of(new Group(HOSTILE_KEY, all)), List.of(new Group("alice", all)), List.of(new Group("openai", all)),
                List.of()), models));
        assertTrue(html.contains("data-value=\"1234\">1,234</p>"), "requests");
        assertTrue(html.contains("data-value=\"56789\">56,789</p>"), "tokens");
        assertTrue(html.contains(">$0.0015</p>"), "cost");
        assertTrue(html.contains("data-value=\"250\">250 ms</p>"), "p95");
        assertTrue(html.contains("data-value=\"150\">150 ms</p>"), "time to first token: 300 ms over 2 streams");
        assertTrue(html.contains("id=\"empty-state\" class=\"empty\" hidden"));
        assertTrue(html.contains("&lt;script&gt;alert(&#39;model&#39;)&lt;/script&gt;"), "the model name is text");
        assertFalse(html.contains(HOSTILE_MODEL));
        assertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "the key label is text");
        assertFalse(html.contains(HOSTILE_KEY));
        assertFalse(html.replace("<script src=", "").contains("<script"), "no script but the two asset files");
    }

    @Test
    void requestsAndProvidersEscapeWhatUpstreamsAndCallersSent() {
        Map<String, Object> m = DashboardResource.frame("requests", "/tollgate", "http://gw", true, "tg-admin", "eu-1", "m");
        m.put("period", TimeRange.of("1h", null, null, NOW));
        m.put("model", "");
        m.put("key", HOSTILE_KEY);
        m.put("status", "");
        m.put("page", 1);
        m.put("hasMore", false);
        m.put("filtered", true);
        m.put("rows", List.of(new UsageLog.Entry("id-1", NOW, "/v1/chat/completions", true, HOSTILE_MODEL, HOSTILE_MODEL,
                "openai", HOSTILE_KEY, "bob", "key-1", 502, 900, 40L, 1, 2, 3, 0, 0, "reported", 2_000_000L, 1, "boom")));
        String html = pages.render("requests", m);
        assertFalse(html.contains(HOSTILE_MODEL) || html.contains(HOSTILE_KEY), html);
        assertTrue(html.contains("<tr class=\"failed\">"));
        assertTrue(html.contains(">40 ms<"), "TTFT of a stream");
        assertTrue(html.contains("Keys &amp; users"), "admins see the admin link");

        Map<String, Object> p = DashboardResource.frame("providers", "/tollgate", "http://gw", false, "v", "eu-1", "m");
        p.put("credentials", List.of(new CredentialStatus("openai", "openai#1", "openai", "https://api.openai.com/v1",
                "cooling", NOW.plusSeconds(30), 3, "429 <b>slow down</b>")));
        p.put("details", Map.of("openai#1", Map.of("models", List.of(Map.of("id", "<b>m</b>")), "weight", 1, "disabled", false,
                "excluded_models", List.of())));
        p.put("storedIds", Map.of());
        p.put("writable", false);
        String providers = pages.render("providers", p);
        assertTrue(providers.contains("&lt;b&gt;m&lt;/b&gt;") && providers.contains("from file"), providers);
        assertTrue(providers.contains("cooling until 2026-11-23 12:00:30Z"), providers);
        assertTrue(providers.contains("429 &lt;b&gt;slow down&lt;/b&gt;"));
        p.put("credentials", List.of());
        assertTrue(pages.render("providers", p).contains("No provider credentials yet"));

        // the gateway log shows what callers and upstreams got into a log line as text
        Map<String, Object> g = DashboardResource.frame("gateway-log", "/tollgate", "http://gw", true, "tg-admin", "eu-1", "m");
        g.put("lines", List.of(new LogBuffer.Line(7, NOW, "WARNING", "dev.tollgate.gateway.CallRun",
                "upstream said <script>alert(1)</script>", null)));
        g.put("last", 7L);
        g.put("level", "INFO");
        g.put("q", "\"><img src=x>");
        g.put("capacity", LogBuffer.CAPACITY);
        String log = pages.render("gateway-log", g);
        assertFalse(log.contains("<script>alert(1)") || log.contains("\"><img src=x>"), log);
        assertTrue(log.contains("upstream said &lt;script&gt;"), log);
    }

    @Test
    void aBadCustomDateIsShownBackWithWhatIsWrong() {
        TimeRange period = TimeRange.of("custom", "yesterday", null, NOW);
        MetricsQuery.InvalidQuery bad = Assertions.assertThrows(MetricsQuery.InvalidQuery.class,
                () -> period.query(null, NOW));
        assertTrue(bad.getMessage().contains("'from'"), bad.getMessage());
        Map<String, Object> m = DashboardResource.frame("overview", "/tollgate", "http://gw", false, "v", "eu-1", "m");
        m.put("period", period);
        m.put("model", "");
        m.put("error", bad.getMessage());
        String html = pages.render("overview", m);
        assertTrue(html.contains("role=\"alert\""), html);
        assertTrue(html.contains("value=\"yesterday\""), "the input is kept to correct");
    }
}
