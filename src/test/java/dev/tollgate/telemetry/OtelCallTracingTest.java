package dev.tollgate.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.ConfigParser;
import dev.tollgate.config.SecretDecryptor;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.usage.CallTrace;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OtelCallTracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    private final List<SpanData> exported = new CopyOnWriteArrayList<>();

    private OtelCallTracing tracing(Sampler sampler, SemanticConventions conventions) {
        SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(sampler)
                .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                        exported.addAll(spans);
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                })).build();
        return new OtelCallTracing(provider.get("test"), conventions);
    }

    private static UsageRecord record(int status, boolean stream) {
        return new UsageRecord("req-1", Instant.EPOCH, "/v1/messages", stream, "claude-x", "claude-x-2025", "claude",
                "claude#1", Caller.of(KeyFingerprint.of("sk-secret-key")), status, 120, stream ? 35L : null,
                new TokenUsage(40, 12, 52, 8, 3), status == 200 ? UsageQuality.REPORTED : UsageQuality.NONE,
                "req_abc", null, 1, true, null);
    }

    private static TollgateConfig parse(String yaml) {
        return new ConfigParser(new SecretDecryptor(Optional.empty()), w -> { }).parse(yaml, Optional.empty(), Path.of("db"));
    }

    private static final String BODY = "{\"model\":\"claude-x\",\"max_tokens\":300,\"temperature\":0.2,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"the secret plan\"}]}";

    @Test
    void theCallSpanContinuesTheCallerAndCarriesTheConventions() {
        CallTrace trace = tracing(Sampler.parentBased(Sampler.alwaysOn()), SemanticConventions.of(null, false))
                .start("/v1/messages", "00-" + TRACE + "-" + PARENT + "-01", "vendor=x", Instant.now());
        trace.request(Json.createReader(new StringReader(BODY)).readObject());
        CallTrace.Attempt attempt = trace.attempt("claude", "claude#1", "claude-x-2025", URI.create("https://api.anthropic.com"), 1);
        String traceparent = attempt.headers().get("traceparent");
        assertTrue(traceparent.startsWith("00-" + TRACE + "-"), traceparent);
        assertEquals("vendor=x", attempt.headers().get("tracestate"), "the caller's trace state travels on");
        attempt.end(200, true);
        trace.finish(record(200, true), new CallTrace.Outcome("msg_01", List.of("end_turn")));

        assertEquals(2, exported.size());
        SpanData child = exported.get(0);
        SpanData call = exported.get(1);
        assertEquals("chat claude-x", call.getName());
        assertEquals(TRACE, call.getTraceId());
        assertEquals(PARENT, call.getParentSpanId());
        assertEquals(call.getSpanId(), child.getParentSpanId());
        assertEquals(child.getSpanId(), traceparent.substring(36, 52), "the upstream's parent is the attempt");
        assertEquals("anthropic", call.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")));
        assertEquals("claude-x-2025", call.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")));
        assertEquals("msg_01", call.getAttributes().get(AttributeKey.stringKey("gen_ai.response.id")));
        assertEquals(List.of("end_turn"), call.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
        assertEquals(40L, call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals(8L, call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens")));
        assertEquals(3L, call.getAttributes().get(AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens")));
        assertEquals(300L, call.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertEquals(0.2, call.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.temperature")));
        assertNull(call.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages")), "no content by default");
        assertNull(call.getAttributes().get(AttributeKey.booleanKey("gen_ai.request.stream")), "a draft item: opt-in only");
        assertFalse(call.getAttributes().toString().contains("sk-secret-key"));
    }

    @Test
    void contentIsCapturedOnlyWhenAskedAndTheDraftItemsOnlyWhenOptedIn() {
        SemanticConventions latest = SemanticConventions.of("http, gen_ai_latest_experimental", true);
        assertEquals("gen_ai.client.operation.time_to_first_chunk", latest.firstTokenMetric());
        assertEquals("gen_ai.server.time_to_first_token", SemanticConventions.of("http", false).firstTokenMetric());
        CallTrace trace = tracing(Sampler.alwaysOn(), latest).start("/v1/messages", null, null, Instant.now());
        trace.request(Json.createReader(new StringReader(BODY)).readObject());
        trace.finish(record(200, true), new CallTrace.Outcome(null, List.of()));
        SpanData call = exported.get(0);
        assertTrue(call.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages")).contains("the secret plan"));
        assertEquals(true, call.getAttributes().get(AttributeKey.booleanKey("gen_ai.request.stream")));
        assertEquals(0.035, call.getAttributes().get(AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk")));
        assertEquals("0000000000000000", call.getParentSpanId(), "no caller trace: a root span");
        assertNull(call.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")), "none said, none written");
    }

    @Test
    void absurdNumbersInTheRequestAreLeftOutNotComputed() {
        CallTrace trace = tracing(Sampler.alwaysOn(), SemanticConventions.of(null, false))
                .start("/v1/chat/completions", null, null, Instant.now());
        trace.request(Json.createReader(new StringReader("{\"max_tokens\":1e999999999,\"temperature\":1e999999999,"
                + "\"top_p\":-1e999999999,\"top_k\":\"lots\",\"max_completion_tokens\":2.5}")).readObject());
        trace.finish(record(200, false), new CallTrace.Outcome(null, List.of()));
        SpanData call = exported.get(0);
        assertNull(call.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertNull(call.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.temperature")));
        assertNull(call.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.top_p")));
        assertNull(call.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.top_k")));
    }

    @Test
    void aBadTraceparentStartsANewTraceAndAnUnsampledOneStillPropagates() {
        OtelCallTracing tracing = tracing(Sampler.parentBased(Sampler.alwaysOn()), SemanticConventions.of(null, false));
        CallTrace bad = tracing.start("/v1/chat/completions", "00-zzzz-not-a-trace-01", null, Instant.now());
        bad.finish(record(502, false), new CallTrace.Outcome(null, List.of()));
        SpanData call = exported.get(0);
        assertFalse(call.getTraceId().equals("00000000000000000000000000000000"));
        assertEquals("bad_gateway", call.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals(StatusCode.ERROR, call.getStatus().getStatusCode());

        CallTrace unsampled = tracing.start("/v1/chat/completions", "00-" + TRACE + "-" + PARENT + "-00", null, Instant.now());
        CallTrace.Attempt attempt = unsampled.attempt("openai", "openai#1", "gpt", URI.create("http://h:8080/v1"), 1);
        assertTrue(attempt.headers().get("traceparent").matches("00-" + TRACE + "-[0-9a-f]{16}-00"),
                "the caller chose not to sample: the upstream hears the same: " + attempt.headers());
        attempt.end(200, true);
        unsampled.finish(record(200, false), new CallTrace.Outcome(null, List.of()));
        assertEquals(1, exported.size(), "nothing of an unsampled trace is exported");
    }

    @Test
    void theConfigBecomesSdkPropertiesThatEnvironmentVariablesOverride() {
        TollgateConfig config = parse("""
                instance-id: gw-1
                otel:
                  endpoint: http://collector:4318/
                  headers: {authorization: "Bearer a b,c"}
                  sampling: 0.25
                  resource-attributes: {deployment.environment: prod}
                """);
        assertTrue(config.otel().enabled(), "an endpoint turns it on");
        Map<String, String> p = Telemetry.properties(config, "1.2.3");
        assertEquals("http://collector:4318", p.get("otel.exporter.otlp.endpoint"));
        assertEquals("authorization=Bearer%20a%20b%2Cc", p.get("otel.exporter.otlp.headers"));
        assertEquals("parentbased_traceidratio", p.get("otel.traces.sampler"));
        assertEquals("0.25", p.get("otel.traces.sampler.arg"));
        assertEquals("deployment.environment=prod,service.instance.id=gw-1,service.version=1.2.3",
                p.get("otel.resource.attributes"));
        assertEquals("http/protobuf", p.get("otel.exporter.otlp.protocol"));
        assertFalse(parse("api-keys: [k]").otel().enabled(), "off by default");
        assertEquals(Telemetry.OFF, Telemetry.start(parse("otel: {enabled: false}"), "1",
                () -> null, name -> null));
    }
}
