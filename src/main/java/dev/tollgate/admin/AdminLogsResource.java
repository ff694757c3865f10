package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.AccessException;
import dev.tollgate.json.Jsons;
import dev.tollgate.logs.LogQuery;
import dev.tollgate.logs.LogReader;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.logs.SearchQuery;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code /admin/logs} (role tollgate-admin): the request log, searched and read. A query or a
 * parameter that cannot be used is a 400 that says why, never a 500.
 */
@Path("/admin/logs")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class AdminLogsResource {
    private static final int MAX_PARAM = 256;

    private final LogSearch search;
    private final LogReader reader;

    @Inject
    public AdminLogsResource(LogSearch search, LogReader reader) {
        this.search = search;
        this.reader = reader;
    }

    @GET
    public Response list(@Context UriInfo uri) {
        return AdminJson.respond(() -> {
            try {
                return AdminJson.ok(page(search.search(LogQuery.parse(uri.getQueryParameters()::getFirst))));
            } catch (SearchQuery.BadQuery e) {
                throw AdminJson.invalid("q: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw AdminJson.invalid(e.getMessage());
            }
        });
    }

    @GET
    @Path("{id}")
    public Response entry(@PathParam("id") String id) {
        return AdminJson.respond(() -> reader.entry(id.length() > MAX_PARAM ? "" : id).map(AdminJson::ok)
                .orElseThrow(() -> new AccessException(AccessException.Kind.NOT_FOUND, "No logged call with id '"
                        + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'.")));
    }

    private static JsonValue page(LogSearch.Page page) {
        JsonArrayBuilder results = JSON.createArrayBuilder();
        for (LogSearch.Hit h : page.hits()) {
            JsonObjectBuilder r = JSON.createObjectBuilder().add("id", h.id()).add("ts", h.ts().toString());
            r.add("model", Jsons.textOrNull(h.requestedModel()));
            r.add("routed_model", Jsons.textOrNull(h.model()));
            r.add("provider", Jsons.textOrNull(h.provider()));
            r.add("status", h.status()).add("stream", h.stream());
            r.add("conversation_id", Jsons.textOrNull(h.conversationId()));
            r.add("key", Jsons.textOrNull(h.keyMasked()));
            r.add("key_id", Jsons.textOrNull(h.keyId()));
            r.add("user", Jsons.textOrNull(h.userId()));
            r.add("error", Jsons.textOrNull(h.error()));
            r.add("flags", LogReader.flags(h.flags())).add("score", h.score());
            JsonArrayBuilder snippet = JSON.createArrayBuilder();
            h.snippet().forEach(s -> snippet.add(JSON.createObjectBuilder().add("text", s.text()).add("match", s.marked())));
            results.add(r.add("snippet", snippet));
        }
        return JSON.createObjectBuilder().add("results", results)
                .add("next_cursor", Jsons.textOrNull(page.nextCursor()))
                .build();
    }
}
