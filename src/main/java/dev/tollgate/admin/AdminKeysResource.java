package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Accounts;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;

/** {@code /admin/keys} (role tollgate-admin): every issued key, revocation, and limits per key. */
@Path("/admin/keys")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class AdminKeysResource {
    private final Accounts accounts;
    private final RateLimiter limiter;
    private final Clock clock;

    @Inject
    public AdminKeysResource(Accounts accounts, RateLimiter limiter, Clock clock) {
        this.accounts = accounts;
        this.limiter = limiter;
        this.clock = clock;
    }

    @GET
    public Response list() {
        return AdminJson.ok(JSON.createObjectBuilder().add("data", AdminJson.keys(accounts.keys(), clock.instant()))
                .build());
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            return AdminJson.ok(AdminJson.key(accounts.key(id), clock.instant())
                    .add("limits", AdminJson.limits(limiter.limitsOf(Subject.key(id)).values())).build());
        });
    }

    /** Revokes the key: refused from the next request on. The key stays listed, as revoked. */
    @DELETE
    @Path("{id}")
    public Response revoke(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            return AdminJson.ok(AdminJson.key(accounts.revokeKey(id), clock.instant()).build());
        });
    }

    @GET
    @Path("{id}/limits")
    public Response limits(@PathParam("id") String id) {
        return SubjectLimits.get(limiter, () -> accounts.key(id), Subject.key(id));
    }

    @PUT
    @Path("{id}/limits")
    public Response setLimits(@PathParam("id") String id, String body) {
        return SubjectLimits.put(limiter, () -> accounts.key(id), Subject.key(id), body);
    }
}
