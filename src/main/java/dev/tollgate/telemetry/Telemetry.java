package dev.tollgate.telemetry;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.metrics.PrometheusText;
import dev.tollgate.usage.CallTrace;
import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * OpenTelemetry for one deployment: the official SDK, configured from {@code otel:} with the
 * standard {@code OTEL_*} environment variables and system properties over it, exporting traces and
 * metrics over OTLP/HTTP. Off by default, and then {@link #OFF}: no SDK is built, the call path asks
 * nothing of it. Never the JVM's global instance (other deployments share the JVM), no shutdown hook
 * (undeploy closes it, flushing what is pending).
 */
public final class Telemetry implements AutoCloseable {
    public static final Telemetry OFF = new Telemetry(null, CallTrace.Factory.OFF, null, "off");
    private static final Logger LOG = Logger.getLogger(Telemetry.class.getName());
    private static final String INSTRUMENTATION = "dev.tollgate";

    private final OpenTelemetrySdk sdk;
    private final CallTrace.Factory tracing;
    private final Consumer<UsageRecord> metrics;
    private final String description;

    private Telemetry(OpenTelemetrySdk sdk, CallTrace.Factory tracing, Consumer<UsageRecord> metrics, String description) {
        this.sdk = sdk;
        this.tracing = tracing;
        this.metrics = metrics;
        this.description = description;
    }

    /**
     * Starts OpenTelemetry when the config turns it on. A setting the SDK refuses (an {@code OTEL_*}
     * value it cannot use) is logged and leaves it off: telemetry must not keep the gateway from serving.
     *
     * @param environment where {@code OTEL_SEMCONV_STABILITY_OPT_IN} is read ({@code System::getenv})
     */
    public static Telemetry start(TollgateConfig config, String version, Supplier<PrometheusText.Gauges> gauges,
                                  Function<String, String> environment) {
        TollgateConfig.Otel otel = config.otel();
        if (!otel.enabled()) {
            return OFF;
        }
        SemanticConventions conventions = SemanticConventions.of(Optional.ofNullable(
                System.getProperty("otel.semconv-stability.opt-in")).orElseGet(
                        () -> environment.apply("OTEL_SEMCONV_STABILITY_OPT_IN")), otel.captureContent());
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> properties(config, version))
                    .setServiceClassLoader(Telemetry.class.getClassLoader())
                    .disableShutdownHook()
                    .build().getOpenTelemetrySdk();
            OtelCallTracing tracing = new OtelCallTracing(sdk.getTracer(INSTRUMENTATION, version), conventions);
            OtelMetrics metrics = new OtelMetrics(sdk.getMeter(INSTRUMENTATION), conventions,
                    config.metrics().maxModels(), gauges);
            String where = otel.endpoint().map(Object::toString).orElse("the OTEL_EXPORTER_OTLP_ENDPOINT or SDK default");
            String description = "OTLP/HTTP to " + where + ", sampling " + otel.sampling()
                    + (conventions.latest() ? ", GenAI conventions: latest experimental" : ", GenAI conventions v1.41")
                    + (otel.captureContent() ? ", message content captured" : "");
            LOG.info("tollgate: OpenTelemetry on: " + description);
            return new Telemetry(sdk, tracing, metrics, description);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "tollgate: OpenTelemetry could not start, so no traces or metrics are exported: "
                    + e.getMessage(), e);
            return OFF;
        }
    }

    /**
     * The config as SDK properties; {@code OTEL_*} variables and {@code otel.*} system properties win
     * over them, as the SDK's autoconfiguration orders it.
     */
    static Map<String, String> properties(TollgateConfig config, String version) {
        TollgateConfig.Otel otel = config.otel();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("otel.service.name", otel.serviceName());
        Map<String, String> resource = new LinkedHashMap<>(otel.resourceAttributes());
        resource.putIfAbsent("service.instance.id", config.instanceId());
        resource.putIfAbsent("service.version", version);
        p.put("otel.resource.attributes", encoded(resource));
        p.put("otel.traces.exporter", "otlp");
        p.put("otel.metrics.exporter", "otlp");
        p.put("otel.logs.exporter", "none");
        p.put("otel.propagators", "tracecontext");
        p.put("otel.exporter.otlp.protocol", "http/protobuf");
        otel.endpoint().ifPresent(e -> p.put("otel.exporter.otlp.endpoint", e.toString()));
        if (!otel.headers().isEmpty()) {
            p.put("otel.exporter.otlp.headers", encoded(otel.headers()));
        }
        p.put("otel.traces.sampler", "parentbased_traceidratio");
        p.put("otel.traces.sampler.arg", Double.toString(otel.sampling()));
        p.put("otel.metric.export.interval", Long.toString(otel.metricInterval().toMillis()));
        return p;
    }

    /** {@code k=v,k2=v2} with each value percent-encoded, as the SDK reads lists of pairs. */
    private static String encoded(Map<String, String> pairs) {
        return pairs.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining(","));
    }

    public boolean on() {
        return sdk != null;
    }

    /** Opens each call's trace; {@link CallTrace.Factory#OFF} when telemetry is off. */
    public CallTrace.Factory tracing() {
        return tracing;
    }

    /** Takes each finished record into the metrics; empty when telemetry is off. */
    public Optional<Consumer<UsageRecord>> metrics() {
        return Optional.ofNullable(metrics);
    }

    /** What health and the System page say of it. */
    public String description() {
        return description;
    }

    /** Exports what is pending and stops (undeploy); waits at most 10 s for the collector. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
