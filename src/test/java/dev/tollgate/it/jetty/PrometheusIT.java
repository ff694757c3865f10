package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.TestRig;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Prometheus (Debian's {@code prometheus}, which {@code .ci/run} installs) scrapes a real
 * gateway every second while it serves calls of every kind: the series it stores agree exactly with
 * the gateway's own account ({@code /_qs/metrics}), a flood of made-up model names and keys leaves the
 * series bounded, and every query of the Grafana dashboard in {@code grafana/} returns data.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PrometheusIT {
    private static final String NAME = "tollgate-prometheusit";
    private static final String INSTANCE = "prometheus-it";
    private static final String KEY = "sk-prom-one-key";
    private static final String OTHER_KEY = "sk-prom-two-key";
    private static final String LIMITED = "sk-prom-limited";
    /**
     * Made-up keys end in letters: records are found by masked key ({@code ***} and the last three
     * characters), and a random digit tail would pass for another test class's {@code sk-it-NNN}.
     */
    private static final String WRONG_KEY_END = "-wrong";
    private static final int MAX_MODELS = 8;
    private static final int MAX_KEYS = 3;
    /** The providers the traffic reaches, under the conventions' names; calls refused before routing have their own. */
    private static final List<String> PROVIDERS = List.of("_unrouted", "anthropic", "deadhost", "gcp.gemini", "openai");
    private static Process prometheus;
    private static String prometheusUrl;

    @Deployment(testable = false)
    static WebArchive war() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "prometheus-it"));
        String yaml = "instance-id: " + INSTANCE + "\n"
                + "api-keys:\n  - " + KEY + "\n  - " + OTHER_KEY + "\n"
                + "  - key: " + LIMITED + "\n    limits: {requests-per-minute: 2, budget-usd-per-day: 5}\n"
                + "metrics: {max-models: " + MAX_MODELS + ", max-keys: " + MAX_KEYS + "}\n"
                + "persistence:\n  path: " + TestRig.database() + "\n  flush-interval: 100ms\n"
                + "timeouts: {connect: 2s, request: 5s}\nrouting: {cooldown: 60s}\n"
                + "model-prices:\n  prom-a: {input: 3, output: 6}\n  claude-fake: {input: 3, output: 15}\n"
                + "openai-api-key:\n  - api-key: sk-upstream-secret\n    base-url: " + TestRig.fake().baseUrl() + "\n"
                + "    models: [{id: prom-a}, {id: prom-b}]\n"
                + "claude-api-key:\n  - api-key: sk-ant-upstream\n    base-url: " + TestRig.claude().baseUrl() + "\n"
                + "    models: [{id: claude-fake}]\n"
                + "gemini-api-key:\n  - api-key: goog-upstream\n    base-url: " + TestRig.gemini().baseUrl() + "\n"
                + "    models: [{id: gemini-fake}]\n"
                + "openai-compatibility:\n  - name: deadhost\n    base-url: http://127.0.0.1:" + TestRig.freePort() + "/v1\n"
                + "    api-key: x\n    models: [{name: dead-model}]\n";
        Path config = Files.writeString(dir.resolve(NAME + ".yaml"), yaml);
        TestRig.use(NAME);
        return TestRig.deploymentOf(NAME, config);
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void aRealPrometheusAgreesWithTheRecordsAndEveryDashboardQueryHasData() throws Exception {
        TestRig.use(NAME);
        Instant from = Instant.now().minus(1, ChronoUnit.MINUTES);
        startPrometheus();
        await(() -> value("up{job=\"tollgate\"}") == 1.0, "Prometheus scraping the gateway");

        int calls = traffic(true); // the first round makes every series; rates need a second round after a scrape
        await(() -> value("sum(tollgate_requests_total)") == calls, "a scrape of the first round");
        int total = calls + traffic(false) + flood();

        await(() -> own(from, null).getJsonObject("totals").getInt("requests") == total, "every call's record");
        TestRig.pause(300); // and no extra one
        JsonObject totals = own(from, null).getJsonObject("totals");
        assertEquals(total, totals.getInt("requests"), "every call has exactly one record: " + totals);
        await(() -> value("sum(tollgate_requests_total)") == total, "a scrape after the last call (" + total + " calls)");

        assertEquals(totals.getJsonNumber("prompt_tokens").longValue(),
                (long) value("sum(gen_ai_client_token_usage_sum{gen_ai_token_type=\"input\"})"), "input tokens");
        assertEquals(totals.getJsonNumber("completion_tokens").longValue(),
                (long) value("sum(gen_ai_client_token_usage_sum{gen_ai_token_type=\"output\"})"), "output tokens");
        assertEquals(totals.getJsonNumber("prompt_tokens").longValue(), (long) value("sum(tollgate_prompt_tokens_total)"));
        assertEquals(totals.getInt("failed_requests"), (long) value("sum(tollgate_errors_total)"), "errors");
        assertEquals(totals.getJsonNumber("cost_usd").doubleValue(), value("sum(tollgate_cost_usd_total)"), 1e-12,
                "cost " + totals);
        assertTrue(totals.getJsonNumber("cost_usd").doubleValue() > 0, "priced calls were made");
        JsonObject promA = own(from, "prom-a").getJsonObject("totals");
        assertEquals(promA.getInt("requests"), (long) value("sum(tollgate_requests_total{model=\"prom-a\"})"));
        assertEquals(promA.getJsonNumber("completion_tokens").longValue(),
                (long) value("sum(tollgate_completion_tokens_total{model=\"prom-a\"})"));

        assertEquals(PROVIDERS, labels("count by (gen_ai_provider_name) (gen_ai_client_operation_duration_seconds_count)",
                "gen_ai_provider_name"));
        assertEquals(4, (long) value("sum(gen_ai_server_time_to_first_token_seconds_count)"), "two streams a round");
        assertEquals(2, (long) value("sum(tollgate_limit_refusals_total{limit=\"requests_per_minute\"})"));
        assertEquals(0, value("tollgate_credential_up{provider=\"deadhost\"}"));
        assertTrue(value("sum(tollgate_credential_cooldowns_total{provider=\"deadhost\"})") >= 1);
        double left = value("tollgate_budget_remaining_usd{period=\"day\"}");
        assertTrue(left > 4.99 && left < 5, "the limited key's calls came off its budget: " + left);

        // bounded: at most MAX_MODELS names of their own, the rest under _other; keys the same, refused ones apart
        List<String> models = labels("count by (model) (tollgate_requests_total)", "model");
        assertEquals(MAX_MODELS + 1, models.size(), models.toString());
        assertTrue(models.contains("_other"), models.toString());
        assertTrue(labels("count by (gen_ai_request_model) (gen_ai_client_operation_duration_seconds_count)",
                "gen_ai_request_model").size() <= MAX_MODELS + 1);
        List<String> keys = labels("count by (key) (tollgate_key_requests_total)", "key");
        assertTrue(keys.contains("_refused") && keys.size() <= MAX_KEYS + 2, keys.toString());
        assertTrue(keys.stream().noneMatch(k -> k.contains("sk-prom")), "keys are masked: " + keys);

        everyDashboardQueryHasData();
    }

    /** One round: OpenAI, Anthropic and Gemini calls, streamed and not, two keys, a limit, a bad key, a dead upstream. */
    private static int traffic(boolean first) {
        int n = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(200, TestRig.post("v1/chat/completions", KEY, chat("prom-a", i == 0, null, "x", "y")).statusCode());
            n++;
        }
        assertEquals(200, TestRig.post("v1/chat/completions", OTHER_KEY, chat("prom-b", false, null, "x")).statusCode());
        String ask = "{\"model\":\"claude-fake\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertEquals(200, TestRig.postWith("v1/messages", ask + "}", "x-api-key", KEY).statusCode());
        assertEquals(200, TestRig.postWith("v1/messages", ask + ",\"stream\":true}", "x-api-key", KEY).statusCode());
        assertEquals(200, TestRig.postWith("v1beta/models/gemini-fake:generateContent",
                "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", OTHER_KEY).statusCode());
        n += 4;
        for (int i = 0; i < (first ? 3 : 1); i++) { // 2 a minute: the third call, and the next round's, are refused
            int status = TestRig.post("v1/chat/completions", LIMITED, chat("prom-a", false, null, "x")).statusCode();
            assertEquals(first && i < 2 ? 200 : 429, status);
            n++;
        }
        String wrongKey = "sk-not-a-key-" + System.nanoTime() + WRONG_KEY_END;
        assertEquals(401, TestRig.post("v1/chat/completions", wrongKey, chat("prom-a", false, null, "x")).statusCode());
        assertEquals(502, TestRig.post("v1/chat/completions", KEY, chat("dead-model", false, null, "x")).statusCode());
        return n + 2;
    }

    /** Model names nobody serves, each once: they fold into _other once the bound is reached. */
    private static int flood() {
        for (int i = 0; i < 30; i++) {
            assertEquals(404, TestRig.post("v1/chat/completions", KEY, chat("made-up-" + i, false, null, "x")).statusCode());
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(401, TestRig.post("v1/chat/completions", "sk-flood-" + i + "-" + System.nanoTime() + WRONG_KEY_END,
                    chat("prom-a", false, null, "x")).statusCode());
        }
        return 40;
    }

    private static JsonObject own(Instant from, String model) {
        String q = "_qs/metrics?instance=" + INSTANCE + "&from=" + from + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES)
                + (model == null ? "" : "&model=" + model);
        HttpResponse<String> r = TestRig.operator(q, TestRig.VIEWER);
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    /** Each panel's query with Grafana's variables set as a user would see them: all models, all providers. */
    private static void everyDashboardQueryHasData() throws IOException {
        JsonObject dashboard = json(Files.readString(Path.of("grafana", "tollgate-dashboard.json")));
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (JsonValue p : dashboard.getJsonArray("panels")) {
            JsonArray targets = p.asJsonObject().getJsonArray("targets");
            if (targets == null) {
                continue;
            }
            for (JsonValue t : targets) {
                String expr = t.asJsonObject().getString("expr").replace("$__rate_interval", "1m").replace("$__range", "10m")
                        .replace("$model", ".*").replace("$provider", ".*");
                queries++;
                JsonArray result = query(expr);
                boolean data = result.stream().anyMatch(s -> {
                    String v = s.asJsonObject().getJsonArray("value").getString(1);
                    return !v.equals("NaN") && !v.contains("Inf");
                });
                if (!data) {
                    empty.add(p.asJsonObject().getString("title") + ": " + expr + " → " + result);
                }
            }
        }
        assertTrue(queries >= 25, "the dashboard has its panels: " + queries);
        assertTrue(empty.isEmpty(), "queries without data:\n" + String.join("\n", empty));
    }

    private static void startPrometheus() throws IOException {
        // a fresh store each run: series a previous run left would still answer queries for five minutes
        Path dir = Files.createDirectories(Path.of("target", "prometheus-it", System.getProperty("tollgate.it.db", "sqlite")));
        int port = TestRig.freePort();
        Path config = Files.writeString(dir.resolve("prometheus.yml"), "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
                + "scrape_configs:\n  - job_name: tollgate\n    metrics_path: /" + NAME + "/_qs/metrics/prometheus\n"
                + "    basic_auth: {username: tg-viewer, password: viewer-pass}\n"
                + "    static_configs: [{targets: ['127.0.0.1:" + System.getProperty("jetty.port") + "']}]\n");
        String binary = System.getProperty("prometheus.binary", "/usr/bin/prometheus");
        assertTrue(Files.isExecutable(Path.of(binary)), binary + " is missing: .ci/run installs Debian's prometheus");
        prometheus = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + Files.createTempDirectory(dir, "tsdb-"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        prometheusUrl = "http://127.0.0.1:" + port;
        await(() -> {
            try {
                return TestRig.operator(prometheusUrl + "/-/ready", null).statusCode() == 200;
            } catch (UncheckedIOException notYet) {
                return false;
            }
        }, "Prometheus ready");
    }

    private static JsonArray query(String promql) {
        HttpResponse<String> r = TestRig.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build());
        assertEquals(200, r.statusCode(), promql + " → " + r.body());
        return json(r.body()).getJsonObject("data").getJsonArray("result");
    }

    /** The single value of a query; -1 when it has no series. */
    private static double value(String promql) {
        JsonArray result = query(promql);
        assertTrue(result.size() <= 1, promql + " has one series: " + result);
        return result.isEmpty() ? -1 : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
    }

    private static List<String> labels(String promql, String label) {
        return query(promql).stream().map(s -> s.asJsonObject().getJsonObject("metric").getString(label, "")).sorted().toList();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                HttpResponse<String> scrape = TestRig.operator("_qs/metrics/prometheus", TestRig.VIEWER);
                throw new AssertionError("timed out waiting for " + what + "; Prometheus has "
                        + (prometheusUrl == null ? "not started" : query("sum(tollgate_requests_total)") + " and targets "
                        + query("up")) + "; the gateway's scrape answers " + scrape.statusCode() + ":\n"
                        + scrape.body().lines().filter(l -> l.startsWith("tollgate_requests_total")).toList());
            }
            TestRig.pause(200);
        }
    }

}
