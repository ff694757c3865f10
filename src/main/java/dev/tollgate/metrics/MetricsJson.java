package dev.tollgate.metrics;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/** The seed system's JSON shape for {@code /_qs/metrics}; times are ISO 8601 UTC. */
public final class MetricsJson {
    private MetricsJson() {
    }

    public static JsonObject of(MetricsReport r) {
        JsonObjectBuilder period = JSON.createObjectBuilder()
                .add("from", r.query().from().toString())
                .add("to", r.query().to().toString())
                .add("interval", r.query().interval().label());
        r.query().model().ifPresent(m -> period.add("model", m));
        r.query().scope().ifPresent(s -> period.add(s.name(), s.value()));
        JsonArrayBuilder series = JSON.createArrayBuilder();
        r.timeseries().forEach(b -> series.add(totals(b.totals()).add("bucket_start", b.start().toString())));
        return JSON.createObjectBuilder()
                .add("query_period", period)
                .add("totals", totals(r.totals()).add("p95_latency_ms", r.p95LatencyMs()))
                .add("by_model", groups(r.byModel(), "model"))
                .add("by_api_key", groups(r.byApiKey(), "api_key"))
                .add("by_user", groups(r.byUser(), "user"))
                .add("by_provider", groups(r.byProvider(), "provider"))
                .add("timeseries", series)
                .build();
    }

    private static JsonArrayBuilder groups(List<MetricsReport.Group> groups, String keyName) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        groups.forEach(g -> a.add(totals(g.totals()).add(keyName, g.key())));
        return a;
    }

    private static JsonObjectBuilder totals(Totals t) {
        return JSON.createObjectBuilder()
                .add("requests", t.requests())
                .add("tokens", t.tokens())
                .add("prompt_tokens", t.promptTokens())
                .add("completion_tokens", t.completionTokens())
                .add("reasoning_tokens", t.reasoningTokens())
                .add("cached_tokens", t.cachedTokens())
                .add("failed_requests", t.failedRequests())
                // a percentage (99.2), as the seed system documents it
                .add("success_rate", round(t.successRate() * 100, 2))
                .add("avg_latency_ms", round(t.avgLatencyMs(), 2))
                .add("avg_ttft_ms", round(t.avgTtftMs(), 2))
                .add("cost_usd", t.costUsd())
                .add("unpriced_requests", t.unpricedRequests());
    }

    private static BigDecimal round(double value, int scale) {
        return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP);
    }
}
