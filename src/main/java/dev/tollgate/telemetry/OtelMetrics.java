package dev.tollgate.telemetry;

import dev.tollgate.metrics.GenAi;
import dev.tollgate.metrics.LabelFold;
import dev.tollgate.metrics.PrometheusText;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The GenAI conventions' metrics and the gateway's own, fed with each finished record (the record
 * the account keeps, so token sums agree with it), and the instance's gauges read when the SDK
 * collects. Model names fold as in Prometheus ({@code metrics.max-models}).
 */
final class OtelMetrics implements Consumer<UsageRecord> {
    /**
     * Kinds of call whose attribute sets are kept: models fold to {@code metrics.max-models}, but
     * statuses do not, so the set is bounded here; a kind beyond it has its sets built each time.
     * (The SDK itself keeps at most 2,000 series an instrument.)
     */
    static final int MAX_KINDS = 1024;
    private static final Attributes STREAMED = Attributes.of(GenAiKeys.STREAM, true);
    private static final Attributes WHOLE = Attributes.of(GenAiKeys.STREAM, false);

    private final LabelFold models;
    private final LongHistogram tokens;
    private final DoubleHistogram duration;
    private final DoubleHistogram firstToken;
    private final LongCounter requests;
    private final DoubleCounter cost;
    private final DoubleHistogram overhead;
    private final Map<CallKind, CallAttributes> attributes = new ConcurrentHashMap<>();

    OtelMetrics(Meter meter, SemanticConventions conventions, int maxModels, Supplier<PrometheusText.Gauges> gauges) {
        this.models = new LabelFold(maxModels);
        tokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setDescription("Number of input and output tokens used.")
                .setExplicitBucketBoundariesAdvice(Arrays.stream(GenAi.TOKEN_BUCKETS).boxed().toList()).build();
        duration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setDescription("GenAI operation duration.")
                .setExplicitBucketBoundariesAdvice(seconds(GenAi.DURATION_BUCKETS_MICROS)).build();
        firstToken = meter.histogramBuilder(conventions.firstTokenMetric()).setUnit("s")
                .setDescription("Time to the first token of a streamed answer, as the caller got it.")
                .setExplicitBucketBoundariesAdvice(seconds(GenAi.FIRST_TOKEN_BUCKETS_MICROS)).build();
        requests = meter.counterBuilder("tollgate.requests").setUnit("{request}")
                .setDescription("Model calls finished, by status.").build();
        cost = meter.counterBuilder("tollgate.cost").ofDoubles().setUnit("USD")
                .setDescription("Cost of priced calls.").build();
        overhead = meter.histogramBuilder("tollgate.overhead").setUnit("s")
                .setDescription("What the gateway added before the answer left it: its time outside the upstream call.")
                .setExplicitBucketBoundariesAdvice(List.of(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                        0.025, 0.1, 1.0)).build();
        instanceGauges(meter, gauges);
    }

    @Override
    public void accept(UsageRecord r) {
        CallKind kind = new CallKind(GenAi.operation(r.endpoint()), GenAi.provider(r.provider()),
                models.of(r.requestedModel() == null ? "" : r.requestedModel()),
                r.provider() != null && r.model() != null ? models.of(r.model()) : null, r.status());
        CallAttributes a = attributes.get(kind);
        if (a == null) {
            a = new CallAttributes(kind);
            if (attributes.size() < MAX_KINDS) {
                attributes.putIfAbsent(kind, a);
            }
        }
        if (r.quality() != UsageQuality.NONE) {
            tokens.record(r.tokens().prompt(), a.input);
            tokens.record(r.tokens().completion(), a.output);
        }
        duration.record(r.latencyMs() / 1000.0, a.duration);
        if (r.stream() && r.ttfbMs() != null && a.duration == a.ok) {
            firstToken.record(r.ttfbMs() / 1000.0, a.ok);
        }
        requests.add(1, a.requests);
        if (r.charge() != null) {
            cost.add(BigDecimal.valueOf(r.charge().costPicoUsd(), 12).doubleValue(), a.ok);
        }
        if (r.overheadMicros() >= 0) {
            overhead.record(r.overheadMicros() / 1_000_000.0, r.stream() ? STREAMED : WHOLE);
        }
    }

    /** What a call's metrics are told apart by; the status also says its error type. */
    private record CallKind(String operation, String provider, String model, String responseModel, int status) {
    }

    /**
     * The attribute sets of one kind of call, built once. Building and sorting five sets per call,
     * and the SDK hashing each new one to find its series, was most of what the metrics cost a call.
     */
    private static final class CallAttributes {
        final Attributes ok;
        final Attributes input;
        final Attributes output;
        final Attributes duration;
        final Attributes requests;

        CallAttributes(CallKind kind) {
            AttributesBuilder call = Attributes.builder().put(GenAiKeys.OPERATION, kind.operation())
                    .put(GenAiKeys.PROVIDER, kind.provider()).put(GenAiKeys.REQUEST_MODEL, kind.model());
            if (kind.responseModel() != null) {
                call.put(GenAiKeys.RESPONSE_MODEL, kind.responseModel());
            }
            ok = call.build();
            input = ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "input").build();
            output = ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "output").build();
            String error = GenAi.errorType(kind.status());
            duration = error == null ? ok : ok.toBuilder().put(GenAiKeys.ERROR_TYPE, error).build();
            requests = ok.toBuilder().put(GenAiKeys.HTTP_STATUS, (long) kind.status()).build();
        }
    }

    /** The recorder, streams, credentials and limit refusals, read when the SDK collects (once per export). */
    private static void instanceGauges(Meter meter, Supplier<PrometheusText.Gauges> gauges) {
        AttributeKey<String> provider = AttributeKey.stringKey("tollgate.provider");
        AttributeKey<String> credential = GenAiKeys.CREDENTIAL;
        AttributeKey<String> limit = AttributeKey.stringKey("tollgate.limit");
        meter.gaugeBuilder("tollgate.recorder.queue").ofLongs().setUnit("{record}")
                .setDescription("Records accepted but not yet in the database.")
                .buildWithCallback(m -> m.record(gauges.get().queueDepth()));
        meter.counterBuilder("tollgate.recorder.dropped").setUnit("{record}")
                .setDescription("Records lost because the memory bound was reached.")
                .buildWithCallback(m -> m.record(gauges.get().droppedRecords()));
        meter.gaugeBuilder("tollgate.streams.open").ofLongs().setUnit("{stream}")
                .setDescription("Streams the gateway holds open now.")
                .buildWithCallback(m -> m.record(gauges.get().openStreams()));
        meter.gaugeBuilder("tollgate.credential.up").ofLongs().setUnit("1")
                .setDescription("1 when the credential takes calls now; 0 when disabled or resting.")
                .buildWithCallback(m -> gauges.get().credentials().forEach(c -> m.record(c.up() ? 1 : 0,
                        Attributes.of(provider, c.provider(), credential, c.label()))));
        meter.counterBuilder("tollgate.credential.cooldowns").setUnit("{cooldown}")
                .setDescription("Times a credential was put to rest since start.")
                .buildWithCallback(m -> gauges.get().credentials().forEach(c -> m.record(c.cooldowns(),
                        Attributes.of(provider, c.provider(), credential, c.label()))));
        meter.counterBuilder("tollgate.limit.refusals").setUnit("{request}")
                .setDescription("Calls refused by a limit or budget, by the limit's kind.")
                .buildWithCallback(m -> gauges.get().refusals().forEach((kind, n) -> m.record(n, Attributes.of(limit, kind))));
    }

    private static List<Double> seconds(long[] micros) {
        return Arrays.stream(micros).mapToObj(m -> m / 1_000_000.0).toList();
    }
}
