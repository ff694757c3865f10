package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.metrics.LiveCounters;
import dev.tollgate.metrics.MetricsJson;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.metrics.PrometheusText;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;

/**
 * {@code GET /_qs/metrics?from&to&model&interval}: usage totals, groupings and time series from the
 * database; {@code GET /_qs/metrics/prometheus}: live counters in Prometheus text.
 */
@Path("/_qs/metrics")
@Singleton
public final class MetricsResource {
    private final MetricsService metrics;
    private final Clock clock;
    private final LiveCounters counters;
    private final GaugeProbe gauges;

    /** Reads the instance gauges at scrape time; wired by the app, which sees every part. */
    @FunctionalInterface
    public interface GaugeProbe {
        PrometheusText.Gauges get();
    }

    @Inject
    public MetricsResource(MetricsService metrics, Clock clock, LiveCounters counters, GaugeProbe gauges) {
        this.metrics = metrics;
        this.clock = clock;
        this.counters = counters;
        this.gauges = gauges;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@QueryParam("from") String from, @QueryParam("to") String to,
                        @QueryParam("model") String model, @QueryParam("interval") String interval,
                        @QueryParam("instance") String instance) {
        MetricsQuery query;
        try {
            query = MetricsQuery.parse(from, to, model, interval, clock.instant());
            if (instance != null && !instance.isBlank()) { // only on the records: a period's every record is read
                if (instance.length() > 128) {
                    throw new MetricsQuery.InvalidQuery("'instance' is longer than 128 characters");
                }
                query = query.within(MetricsQuery.Scope.instance(instance.trim()));
            }
        } catch (MetricsQuery.InvalidQuery e) {
            String body = JSON.createObjectBuilder().add("error", JSON.createObjectBuilder()
                    .add("message", e.getMessage()).add("type", "invalid_request_error")).build().toString();
            return Response.status(400).entity(body).type(MediaType.APPLICATION_JSON).build();
        }
        return Response.ok(MetricsJson.of(metrics.report(query)).toString(), MediaType.APPLICATION_JSON).build();
    }

    /** Counters since this instance started, for Prometheus; no database work per scrape. */
    @GET
    @Path("prometheus")
    public Response prometheus() {
        return Response.ok(PrometheusText.render(counters, gauges.get()), PrometheusText.CONTENT_TYPE).build();
    }
}
