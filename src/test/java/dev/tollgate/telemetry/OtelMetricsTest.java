package dev.tollgate.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.metrics.PrometheusText;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The metrics a call's record feeds, with their attribute sets built once per kind of call. */
class OtelMetricsTest {
    private final Reader reader = new Reader();
    private final OtelMetrics metrics = new OtelMetrics(SdkMeterProvider.builder().registerMetricReader(reader).build()
            .get("test"), SemanticConventions.of(null, false), 20,
            () -> new PrometheusText.Gauges(0, 0, 0, true, 0, 0, 0, List.of(), Map.of(), List.of()));

    /** Reads what the SDK holds when asked, as an exporter would. */
    private static final class Reader implements MetricReader {
        private volatile CollectionRegistration registration = CollectionRegistration.noop();

        @Override
        public void register(CollectionRegistration r) {
            registration = r;
        }

        Collection<MetricData> collect() {
            return registration.collectAllMetrics();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }
    }

    private static UsageRecord record(int status, boolean stream) {
        boolean ok = status < 400;
        return new UsageRecord("req-" + status, Instant.EPOCH, "/v1/chat/completions", stream, "gpt-x",
                ok ? "gpt-x-2025" : null, ok ? "openai" : null, ok ? "openai#1" : null,
                Caller.of(KeyFingerprint.of("sk-secret-key")), status, 120, stream ? 35L : null,
                new TokenUsage(40, 12, 52, 0, 0), ok ? UsageQuality.REPORTED : UsageQuality.NONE, null, null, 1, true, null);
    }

    private MetricData metric(String name) {
        return reader.collect().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    /** Each series of a counter by one attribute's value. */
    private Map<String, Long> counts(String name, AttributeKey<?> by) {
        Map<String, Long> out = new TreeMap<>();
        for (LongPointData p : metric(name).getLongSumData().getPoints()) {
            out.merge(String.valueOf(p.getAttributes().get(by)), p.getValue(), Long::sum);
        }
        return out;
    }

    private Map<Attributes, Long> histogramCounts(String name) {
        Map<Attributes, Long> out = new HashMap<>();
        for (HistogramPointData p : metric(name).getHistogramData().getPoints()) {
            out.put(p.getAttributes(), p.getCount());
        }
        return out;
    }

    @Test
    void callsOfOneKindShareTheirSeriesAndEachStatusHasItsOwn() {
        metrics.accept(record(200, true));
        metrics.accept(record(200, true));
        metrics.accept(record(200, false));
        metrics.accept(record(404, false));
        metrics.accept(record(404, false));
        assertEquals(Map.of("200", 3L, "404", 2L), counts("tollgate.requests", GenAiKeys.HTTP_STATUS));

        Attributes ok = Attributes.builder().put(GenAiKeys.OPERATION, "chat").put(GenAiKeys.PROVIDER, "openai")
                .put(GenAiKeys.REQUEST_MODEL, "gpt-x").put(GenAiKeys.RESPONSE_MODEL, "gpt-x-2025").build();
        Attributes notFound = Attributes.builder().put(GenAiKeys.OPERATION, "chat").put(GenAiKeys.PROVIDER, "_unrouted")
                .put(GenAiKeys.REQUEST_MODEL, "gpt-x").put(GenAiKeys.ERROR_TYPE, "not_found").build();
        assertEquals(Map.of(ok, 3L, notFound, 2L), histogramCounts("gen_ai.client.operation.duration"));
        assertEquals(Map.of(ok, 2L), histogramCounts("gen_ai.server.time_to_first_token"), "streams without an error only");
        Map<Attributes, Long> tokens = histogramCounts("gen_ai.client.token.usage");
        assertEquals(Map.of(ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "input").build(), 3L,
                ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "output").build(), 3L), tokens, "calls with usage only");
    }

    @Test
    void kindsBeyondTheKeptOnesAreCountedAllTheSame() {
        int kinds = OtelMetrics.MAX_KINDS + 50; // statuses are not folded: more kinds than are kept, fewer than the SDK's 2,000 series
        for (int status = 1000; status < 1000 + kinds; status++) {
            metrics.accept(record(status, false));
            metrics.accept(record(status, false));
        }
        Map<String, Long> byStatus = counts("tollgate.requests", GenAiKeys.HTTP_STATUS);
        assertEquals(kinds, byStatus.size());
        assertEquals(2L, byStatus.get(String.valueOf(1000 + kinds - 1)), "one of the kinds not kept");
        assertEquals(2L * kinds, byStatus.values().stream().mapToLong(Long::longValue).sum());
    }
}
