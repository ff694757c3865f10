package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.OtlpReceiver;
import dev.tollgate.it.TestRig;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenTelemetry to a real OTLP/HTTP receiver: one span per call under the GenAI conventions,
 * continuing the caller's {@code traceparent}, a child span per upstream attempt (a fallback shows as
 * two), the context handed to the upstream, and metric points whose token sums equal the records.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OtelIT {
    private static final String NAME = "tollgate-otelit";
    private static final String INSTANCE = "otel-it";
    private static final String KEY = "sk-otel-caller-key";
    private static final String COLLECTOR_TOKEN = "otel-collector-token-1234";
    private static final Instant FROM = Instant.now().minus(1, ChronoUnit.MINUTES);
    /** Left running to the end of the JVM: the gateway's last export, at undeploy, must find it there. */
    private static OtlpReceiver receiver;

    @Deployment(testable = false)
    static WebArchive war() throws IOException {
        receiver = new OtlpReceiver();
        Path dir = Files.createDirectories(Path.of("target", "otel-it"));
        String yaml = "instance-id: " + INSTANCE + "\n"
                + "api-keys: [" + KEY + "]\n"
                + "persistence:\n  path: " + TestRig.database() + "\n  flush-interval: 100ms\n"
                + "routing: {strategy: fill-first}\n"
                + "otel:\n  endpoint: " + receiver.endpoint() + "\n  headers: {x-collector-token: " + COLLECTOR_TOKEN + "}\n"
                + "  metric-interval: 1s\n  resource-attributes: {deployment.environment: it}\n"
                + "openai-api-key:\n"
                + "  - api-key: sk-upstream-secret\n    base-url: " + TestRig.fake().baseUrl() + "\n"
                + "    models: [{id: fake-429, alias: otel-fallback}, {id: otel-a}]\n"
                + "  - api-key: sk-upstream-secret-2\n    base-url: " + TestRig.fake().baseUrl() + "\n"
                + "    models: [{id: otel-b, alias: otel-fallback}]\n"
                + "claude-api-key:\n  - api-key: sk-ant-upstream\n    base-url: " + TestRig.claude().baseUrl() + "\n"
                + "    models: [{id: claude-fake}]\n";
        Path config = Files.writeString(dir.resolve(NAME + ".yaml"), yaml);
        TestRig.use(NAME);
        return TestRig.deploymentOf(NAME, config);
    }

    @Test
    void aCallIsOneSpanInTheCallersTraceAndItsAttemptHandsTheContextOn() {
        TestRig.use(NAME);
        String traceId = hex(16);
        String callerSpan = hex(8);
        HttpResponse<String> r = TestRig.postWith("v1/chat/completions", chat("otel-a", false, null, "hello there"),
                "Authorization", "Bearer " + KEY, "traceparent", "00-" + traceId + "-" + callerSpan + "-01");
        assertEquals(200, r.statusCode(), r.body());
        String requestId = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        JsonObject usage = json(r.body()).getJsonObject("usage");

        OtlpReceiver.Received call = await(() -> receiver.spans().stream()
                .filter(s -> requestId.equals(s.attributes().get("tollgate.request_id"))).findFirst(), "the call's span");
        assertEquals(traceId, call.traceId(), "the caller's trace goes on");
        assertEquals(callerSpan, call.parentId(), "under the caller's span");
        assertEquals("chat otel-a", call.span().getName());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, call.span().getKind());
        Map<String, String> a = call.attributes();
        assertEquals("chat", a.get("gen_ai.operation.name"));
        assertEquals("openai", a.get("gen_ai.provider.name"));
        assertEquals("otel-a", a.get("gen_ai.request.model"));
        assertEquals("otel-a", a.get("gen_ai.response.model"));
        assertTrue(a.get("gen_ai.response.id").startsWith("chatcmpl-"), a.toString());
        assertEquals(Integer.toString(usage.getInt("prompt_tokens")), a.get("gen_ai.usage.input_tokens"));
        assertEquals(Integer.toString(usage.getInt("completion_tokens")), a.get("gen_ai.usage.output_tokens"));
        assertEquals("200", a.get("http.response.status_code"));
        assertEquals("[stop]", a.get("gen_ai.response.finish_reasons"));
        assertFalse(a.containsKey("error.type"), a.toString());
        assertFalse(a.containsKey("gen_ai.input.messages"), "no content unless otel.capture-content is on");
        assertFalse(call.span().toString().contains("hello there"), "the prompt is nowhere in the span");
        assertEquals("tollgate", call.resource().get("service.name"));
        assertEquals(INSTANCE, call.resource().get("service.instance.id"));
        assertEquals("it", call.resource().get("deployment.environment"));

        List<OtlpReceiver.Received> attempts = children(call);
        assertEquals(1, attempts.size());
        OtlpReceiver.Received attempt = attempts.get(0);
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, attempt.span().getKind());
        assertEquals("1", attempt.attributes().get("tollgate.attempt"));
        assertEquals("127.0.0.1", attempt.attributes().get("server.address"));
        FakeOpenAi.Received upstream = TestRig.fake().received().stream()
                .filter(x -> x.body() != null && "otel-a".equals(x.body().getString("model", "")))
                .reduce((first, second) -> second).orElseThrow();
        assertEquals(List.of("00-" + traceId + "-" + attempt.spanId() + "-01"), upstream.headers().get("Traceparent"),
                "the upstream is called inside the attempt's span");
        assertTrue(receiver.headers().stream().allMatch(h -> List.of(COLLECTOR_TOKEN).equals(h.get("X-collector-token"))),
                "every export carries the configured header");
        assertTrue(receiver.refused().isEmpty(), receiver.refused().toString());
        String system = TestRig.admin("GET", "admin/system", null).body();
        assertTrue(json(system).getString("opentelemetry").startsWith("OTLP/HTTP to " + receiver.endpoint()), system);
        assertFalse(system.contains(COLLECTOR_TOKEN), "the collector's token is never shown");
    }

    @Test
    void aFallbackShowsAsTwoAttemptsUnderOneCall() {
        TestRig.use(NAME);
        HttpResponse<String> r = TestRig.post("v1/chat/completions", KEY, chat("otel-fallback", false, null, "x"));
        assertEquals(200, r.statusCode(), r.body());
        String requestId = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        OtlpReceiver.Received call = await(() -> receiver.spans().stream()
                .filter(s -> requestId.equals(s.attributes().get("tollgate.request_id"))).findFirst(), "the call's span");
        assertTrue(call.parentId().isEmpty(), "no traceparent came: a new trace");
        assertEquals("2", call.attributes().get("tollgate.attempts"));
        assertEquals("otel-b", call.attributes().get("gen_ai.response.model"));
        List<OtlpReceiver.Received> attempts = children(call);
        assertEquals(2, attempts.size(), attempts.toString());
        Map<String, String> first = attempts.get(0).attributes();
        Map<String, String> second = attempts.get(1).attributes();
        assertEquals("1", first.get("tollgate.attempt"));
        assertEquals("fake-429", first.get("gen_ai.request.model"));
        assertEquals("429", first.get("http.response.status_code"));
        assertEquals("rate_limited", first.get("error.type"));
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR,
                attempts.get(0).span().getStatus().getCode());
        assertEquals("2", second.get("tollgate.attempt"));
        assertEquals("otel-b", second.get("gen_ai.request.model"));
        assertEquals("200", second.get("http.response.status_code"));
        assertFalse(second.containsKey("error.type"));
    }

    @Test
    void metricPointsSumToTheRecords() {
        TestRig.use(NAME);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, TestRig.post("v1/chat/completions", KEY, chat("otel-a", i % 2 == 0, null, "a", "b")).statusCode());
        }
        String ask = "{\"model\":\"claude-fake\",\"max_tokens\":50,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> streamed = TestRig.postWith("v1/messages", ask, "x-api-key", KEY);
        assertEquals(200, streamed.statusCode());
        String streamedId = streamed.headers().firstValue("x-tollgate-request-id").orElseThrow();
        OtlpReceiver.Received claude = await(() -> receiver.spans().stream()
                .filter(s -> streamedId.equals(s.attributes().get("tollgate.request_id"))).findFirst(), "the stream's span");
        assertEquals("anthropic", claude.attributes().get("gen_ai.provider.name"));
        assertEquals("[end_turn]", claude.attributes().get("gen_ai.response.finish_reasons"), "read from the stream's events");
        assertTrue(claude.attributes().get("gen_ai.response.id").startsWith("msg_"), claude.attributes().toString());
        assertEquals(404, TestRig.post("v1/chat/completions", KEY, chat("otel-nobody", false, null, "x")).statusCode());

        // the last call has its record before the sums are compared (the records are written in order)
        await(() -> json(TestRig.operator("_qs/metrics?instance=" + INSTANCE + "&model=otel-nobody&from=" + FROM + "&to="
                + Instant.now().plus(1, ChronoUnit.MINUTES), TestRig.VIEWER).body()).getJsonObject("totals")
                .getInt("requests") == 1 ? Optional.of(true) : Optional.empty(), "the 404's record");
        Supplier<JsonObject> totals = () -> json(TestRig.operator("_qs/metrics?instance=" + INSTANCE + "&from=" + FROM
                + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES), TestRig.VIEWER).body()).getJsonObject("totals");
        await(() -> {
            JsonObject t = totals.get();
            return sum("gen_ai.client.token.usage", "input") == t.getJsonNumber("prompt_tokens").longValue()
                    && sum("gen_ai.client.token.usage", "output") == t.getJsonNumber("completion_tokens").longValue()
                    && count("gen_ai.client.operation.duration") == t.getInt("requests")
                    ? Optional.of(t) : Optional.empty();
        }, "metric points equal to the records");
        assertTrue(totals.get().getJsonNumber("prompt_tokens").longValue() > 0);
        assertTrue(count("gen_ai.server.time_to_first_token") >= 3, "the streams' first tokens");
        List<String> names = receiver.metricNames();
        for (String name : List.of("gen_ai.client.token.usage", "gen_ai.client.operation.duration",
                "gen_ai.server.time_to_first_token", "tollgate.requests", "tollgate.overhead", "tollgate.recorder.queue",
                "tollgate.credential.up", "tollgate.streams.open")) {
            assertTrue(names.contains(name), name + " in " + names);
        }
        // the 404 is the last call: its point can come an export after the sums above agreed without it
        await(() -> receiver.latestHistogram("gen_ai.client.operation.duration").stream()
                .filter(p -> "not_found".equals(OtlpReceiver.attributes(p.getAttributesList()).get("error.type")))
                .mapToLong(HistogramDataPoint::getCount).sum() == 1 ? Optional.of(true) : Optional.empty(),
                "the 404's duration point with its error type");
    }

    private static long sum(String metric, String tokenType) {
        return (long) receiver.latestHistogram(metric).stream()
                .filter(p -> tokenType.equals(OtlpReceiver.attributes(p.getAttributesList()).get("gen_ai.token.type")))
                .mapToDouble(HistogramDataPoint::getSum).sum();
    }

    private static long count(String metric) {
        return receiver.latestHistogram(metric).stream().mapToLong(HistogramDataPoint::getCount).sum();
    }

    private static List<OtlpReceiver.Received> children(OtlpReceiver.Received parent) {
        return await(() -> {
            List<OtlpReceiver.Received> found = receiver.spans().stream()
                    .filter(s -> s.parentId().equals(parent.spanId()))
                    .sorted((x, y) -> x.attributes().get("tollgate.attempt").compareTo(y.attributes().get("tollgate.attempt")))
                    .toList();
            return found.isEmpty() ? Optional.empty() : Optional.of(found);
        }, "the attempts' spans");
    }

    private static <T> T await(Supplier<Optional<T>> what, String description) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Optional<T> found = what.get();
            if (found.isPresent()) {
                return found.get();
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + description + "; received spans: "
                    + receiver.spans().size() + ", metrics: " + receiver.metricNames() + ", refused: " + receiver.refused());
            TestRig.pause(100);
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zeros, which W3C calls invalid
        return HexFormat.of().formatHex(b);
    }
}
