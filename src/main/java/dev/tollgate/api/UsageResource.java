package dev.tollgate.api;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.api.openai.OpenAiErrors;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.metrics.MetricsJson;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.metrics.UsageLog;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A caller's own usage, with the caller's own key: {@code GET /v1/usage} (records, newest first,
 * paged with {@code limit} and {@code offset}) and {@code GET /v1/usage/summary} (totals by model).
 * Both take {@code from}, {@code to} (default: the last 30 days) and {@code model}.
 */
@Path("/v1/usage")
@Singleton
public final class UsageResource {
    static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    private static final int DEFAULT_PAGE = 50;

    private final Gateway gateway;
    private final UsageLog log;
    private final MetricsService metrics;
    private final Clock clock;

    @Inject
    public UsageResource(Gateway gateway, UsageLog log, MetricsService metrics, Clock clock) {
        this.gateway = gateway;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
    }

    @GET
    public Response records(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("from") String from,
                            @QueryParam("to") String to, @QueryParam("model") String model,
                            @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        try {
            MetricsQuery q = query(auth, from, to, model);
            int size = number("limit", limit, DEFAULT_PAGE, 1, UsageLog.MAX_PAGE);
            long skip = number("offset", offset, 0, 0, Integer.MAX_VALUE);
            List<UsageLog.Entry> rows = log.page(q.scope().orElseThrow(), q.from(), q.to(), q.model(), size, skip);
            JsonArrayBuilder data = JSON.createArrayBuilder();
            rows.stream().limit(size).forEach(e -> data.add(e.toJson()));
            boolean more = rows.size() > size;
            var body = JSON.createObjectBuilder().add("object", "list").add("data", data).add("has_more", more);
            if (more) {
                body.add("next_offset", skip + size);
            }
            return Response.ok(body.build().toString(), MediaType.APPLICATION_JSON).build();
        } catch (GatewayException e) {
            return OpenAiErrors.response(e);
        }
    }

    @GET
    @Path("summary")
    public Response summary(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("from") String from,
                            @QueryParam("to") String to, @QueryParam("model") String model) {
        try {
            JsonObject report = MetricsJson.of(metrics.report(query(auth, from, to, model)));
            String body = JSON.createObjectBuilder().add("object", "usage.summary")
                    .add("query_period", report.get("query_period")).add("totals", report.get("totals"))
                    .add("by_model", report.get("by_model")).build().toString();
            return Response.ok(body, MediaType.APPLICATION_JSON).build();
        } catch (GatewayException e) {
            return OpenAiErrors.response(e);
        }
    }

    /** The caller's own records in the period; daily buckets so that long periods stay valid. */
    private MetricsQuery query(String auth, String from, String to, String model) {
        Caller caller = gateway.authenticate(ClientKeyHeader.bearer(auth));
        if (caller.key().hash() == null) {
            throw new GatewayException(Failure.AUTHENTICATION,
                    "Usage is kept per key: send yours as 'Authorization: Bearer <key>'.");
        }
        Instant now = clock.instant();
        String start = from;
        if (start == null || start.isBlank()) {
            Instant end = to == null || to.isBlank() ? now : MetricsQuery.parse(null, to, null, "day", now).to();
            start = end.minus(DEFAULT_PERIOD).toString();
        }
        try {
            return MetricsQuery.parse(start, to, model, "day", now)
                    .within(MetricsQuery.Scope.apiKeyHash(caller.key().hash()));
        } catch (MetricsQuery.InvalidQuery e) {
            throw new GatewayException(Failure.INVALID_REQUEST, e.getMessage());
        }
    }

    private static int number(String name, String text, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the refusal
        }
        throw new GatewayException(Failure.INVALID_REQUEST,
                "'" + name + "' must be a whole number from " + min + " to " + max + " (got '" + text + "')", name);
    }
}
