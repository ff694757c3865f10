package dev.tollgate.admin;

import dev.tollgate.access.AccessException;
import dev.tollgate.logs.LogReader;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /admin/conversations/{id}} (role tollgate-admin): one conversation of the request log, its
 * calls in order with the call each continues, and its totals. Its calls are listed with
 * {@code GET /admin/logs?conversation=ID}.
 */
@Path("/admin/conversations")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class AdminConversationsResource {
    private final LogReader reader;

    @Inject
    public AdminConversationsResource(LogReader reader) {
        this.reader = reader;
    }

    @GET
    @Path("{id}")
    public Response conversation(@PathParam("id") String id) {
        return AdminJson.respond(() -> reader.conversation(id.length() > 256 ? "" : id).map(AdminJson::ok)
                .orElseThrow(() -> new AccessException(AccessException.Kind.NOT_FOUND, "No conversation with id '"
                        + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'.")));
    }
}
