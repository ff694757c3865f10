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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The GenAI conventions' metrics and the gateway's own, fed with each finished record (the record
 * the account keeps, so token sums agree with it), and the instance's gauges read when the SDK
 * collects. Model names fold as in Prometheus ({@code metrics.max-models}).
 */
final class OtelMetrics implements Consumer<UsageRecord> {

    private final LabelFold models;
    private final LongHistogram tokens;
    private final DoubleHistogram duration;
    private final DoubleHistogram firstToken;
    private final LongCounter requests;
    private final DoubleCounter cost;
    private final DoubleHistogram overhead;

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
        String model = models.of(r.requestedModel() == null ? "" : r.requestedModel());
        AttributesBuilder call = Attributes.builder().put(GenAiKeys.OPERATION, GenAi.operation(r.endpoint()))
                .put(GenAiKeys.PROVIDER, GenAi.provider(r.provider())).put(GenAiKeys.REQUEST_MODEL, model);
        if (r.provider() != null && r.model() != null) {
            call.put(GenAiKeys.RESPONSE_MODEL, models.of(r.model()));
        }
        Attributes ok = call.build();
        if (r.quality() != UsageQuality.NONE) {
            tokens.record(r.tokens().prompt(), ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "input").build());
            tokens.record(r.tokens().completion(), ok.toBuilder().put(GenAiKeys.TOKEN_TYPE, "output").build());
        }
        String error = GenAi.errorType(r.status());
        duration.record(r.latencyMs() / 1000.0, error == null ? ok : ok.toBuilder().put(GenAiKeys.ERROR_TYPE, error).build());
        if (r.stream() && r.ttfbMs() != null && error == null) {
            firstToken.record(r.ttfbMs() / 1000.0, ok);
        }
        requests.add(1, ok.toBuilder().put(GenAiKeys.HTTP_STATUS, (long) r.status()).build());
        if (r.charge() != null) {
            cost.add(BigDecimal.valueOf(r.charge().costPicoUsd(), 12).doubleValue(), ok);
        }
        if (r.overheadMicros() >= 0) {
            overhead.record(r.overheadMicros() / 1_000_000.0, Attributes.of(GenAiKeys.STREAM, r.stream()));
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
