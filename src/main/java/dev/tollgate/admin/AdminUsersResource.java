package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Accounts;
import dev.tollgate.access.ClientKey;
import dev.tollgate.access.IssuedKey;
import dev.tollgate.access.User;
import dev.tollgate.config.LimitSet;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import dev.tollgate.metrics.MetricsJson;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /admin/users} (role tollgate-admin): users, the keys issued to them, their limits and
 * their usage. Bad input is 400 with what is wrong, unknown ids 404, a taken id 409.
 */
@Path("/admin/users")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class AdminUsersResource {
    private final Accounts accounts;
    private final RateLimiter limiter;
    private final MetricsService metrics;
    private final Clock clock;

    @Inject
    public AdminUsersResource(Accounts accounts, RateLimiter limiter, MetricsService metrics, Clock clock) {
        this.accounts = accounts;
        this.limiter = limiter;
        this.metrics = metrics;
        this.clock = clock;
    }

    @GET
    public Response list() {
        JsonArrayBuilder data = JSON.createArrayBuilder();
        accounts.users().forEach(u -> data.add(AdminJson.user(u)));
        return AdminJson.ok(JSON.createObjectBuilder().add("data", data).build());
    }

    @POST
    public Response create(String body) {
        return AdminJson.respond(() -> {
            JsonObject o = AdminJson.body(body, Set.of("id", "name", "team"));
            User u = accounts.createUser(AdminJson.string(o, "id"),
                    AdminJson.string(o, "name").orElseThrow(() -> AdminJson.invalid("'name' is required")),
                    AdminJson.string(o, "team"));
            return AdminJson.created(AdminJson.user(u).build());
        });
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            User u = accounts.user(id);
            return AdminJson.ok(AdminJson.user(u).add("keys", AdminJson.keys(accounts.keysOf(id), clock.instant()))
                    .add("limits", AdminJson.limits(limiter.limitsOf(Subject.user(id)).values())).build());
        });
    }

    @PATCH
    @Path("{id}")
    public Response update(@PathParam("id") String id, String body) {
        return AdminJson.respond(() -> {
            JsonObject o = AdminJson.body(body, Set.of("name", "team"));
            return AdminJson.ok(AdminJson.user(accounts.updateUser(id, AdminJson.string(o, "name"),
                    o.containsKey("team") ? Optional.of(AdminJson.string(o, "team").orElse(""))
                            : Optional.empty())).build());
        });
    }

    /** Deletes the user, their keys (refused from now on) and their limits; their usage records stay. */
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            for (ClientKey k : accounts.keysOf(id)) {
                limiter.setLimits(Subject.key(k.id()), LimitSet.NONE);
            }
            limiter.setLimits(Subject.user(id), LimitSet.NONE);
            accounts.deleteUser(id);
            return Response.noContent().build();
        });
    }

    /** Issues a key; the answer holds its secret, which is never shown again. */
    @POST
    @Path("{id}/keys")
    public Response issueKey(@PathParam("id") String id, String body) {
        return AdminJson.respond(() -> {
            JsonObject o = AdminJson.body(body, Set.of("name", "expires_at"));
            IssuedKey issued = accounts.issueKey(id, AdminJson.string(o, "name"), AdminJson.time(o, "expires_at"));
            return AdminJson.created(AdminJson.key(issued.key(), clock.instant()).add("key", issued.secret()).build());
        });
    }

    @GET
    @Path("{id}/keys")
    public Response keys(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            return AdminJson.ok(JSON.createObjectBuilder().add("data", AdminJson.keys(accounts.keysOf(id),
                    clock.instant())).build());
        });
    }

    @GET
    @Path("{id}/limits")
    public Response limits(@PathParam("id") String id) {
        return SubjectLimits.get(limiter, () -> accounts.user(id), Subject.user(id));
    }

    @PUT
    @Path("{id}/limits")
    public Response setLimits(@PathParam("id") String id, String body) {
        return SubjectLimits.put(limiter, () -> accounts.user(id), Subject.user(id), body);
    }

    /** The user's usage in the shape of {@code /_qs/metrics}, with the same parameters. */
    @GET
    @Path("{id}/usage")
    public Response usage(@PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to,
                          @QueryParam("model") String model, @QueryParam("interval") String interval) {
        return AdminJson.respond(() -> {
            accounts.user(id);
            MetricsQuery q;
            try {
                q = MetricsQuery.parse(from, to, model, interval, clock.instant()).within(MetricsQuery.Scope.user(id));
            } catch (MetricsQuery.InvalidQuery e) {
                throw AdminJson.invalid(e.getMessage());
            }
            return AdminJson.ok(MetricsJson.of(metrics.report(q)));
        });
    }
}
