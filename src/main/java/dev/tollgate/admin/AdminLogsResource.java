package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.AccessException;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code /admin/logs} (role tollgate-admin): the request log, searched and read. A query or a
 * parameter that cannot be used is a 400 that says why, never a 500.
 */
@Path("/admin/logs")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class AdminLogsResource {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final int MAX_PARAM = 256;

    private final LogSearch search;
    private final LogReader reader;

    @Inject
    public AdminLogsResource(LogSearch search, LogReader reader) {
        this.search = search;
        this.reader = reader;
    }

    @GET
    public Response list(@QueryParam("q") String q, @QueryParam("from") String from, @QueryParam("to") String to,
                         @QueryParam("model") String model, @QueryParam("key") String key,
                         @QueryParam("user") String user, @QueryParam("status") String status,
                         @QueryParam("provider") String provider, @QueryParam("conversation") String conversation,
                         @QueryParam("sort") String sort, @QueryParam("limit") String limit,
                         @QueryParam("cursor") String cursor) {
        return AdminJson.respond(() -> {
            Optional<SearchQuery.Node> query;
            LogSearch.Filters filters;
            boolean byTime;
            int size;
            try {
                query = text(q, "q", SearchQuery.MAX_LENGTH).map(SearchQuery::parse);
                filters = new LogSearch.Filters(time(from, "from", false), time(to, "to", true),
                        text(model, "model", MAX_PARAM), text(key, "key", MAX_PARAM), text(user, "user", MAX_PARAM),
                        text(status, "status", 16).map(LogSearch.StatusFilter::parse),
                        text(provider, "provider", MAX_PARAM), text(conversation, "conversation", MAX_PARAM));
                byTime = sortByTime(sort);
                size = limit(limit);
                return AdminJson.ok(page(search.search(query, filters, byTime, size, text(cursor, "cursor", 1024))));
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
            nullable(r, "model", h.requestedModel());
            nullable(r, "routed_model", h.model());
            nullable(r, "provider", h.provider());
            r.add("status", h.status()).add("stream", h.stream());
            nullable(r, "conversation_id", h.conversationId());
            nullable(r, "key", h.keyMasked());
            nullable(r, "key_id", h.keyId());
            nullable(r, "user", h.userId());
            nullable(r, "error", h.error());
            r.add("flags", LogReader.flags(h.flags())).add("score", h.score());
            JsonArrayBuilder snippet = JSON.createArrayBuilder();
            h.snippet().forEach(s -> snippet.add(JSON.createObjectBuilder().add("text", s.text()).add("match", s.marked())));
            results.add(r.add("snippet", snippet));
        }
        return JSON.createObjectBuilder().add("results", results)
                .add("next_cursor", page.nextCursor() == null ? JsonValue.NULL : JSON.createValue(page.nextCursor()))
                .build();
    }

    private static void nullable(JsonObjectBuilder b, String key, String value) {
        if (value == null) {
            b.addNull(key);
        } else {
            b.add(key, value);
        }
    }

    private static Optional<String> text(String value, String name, int max) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " is longer than " + max + " characters");
        }
        return Optional.of(value.trim());
    }

    /** An instant ({@code 2026-12-01T09:00:00Z}) or a UTC day ({@code 2026-12-01}: from its start, to its end). */
    private static Optional<Instant> time(String value, String name, boolean end) {
        return text(value, name, 64).map(v -> {
            try {
                if (v.length() == 10) {
                    LocalDate day = LocalDate.parse(v);
                    return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + " must be a day (2026-12-01) or an instant "
                        + "(2026-12-01T09:00:00Z), got '" + v + "'");
            }
        });
    }

    private static boolean sortByTime(String sort) {
        String s = sort == null ? "" : sort.trim();
        return switch (s) {
            case "", "relevance" -> false;
            case "time" -> true;
            default -> throw new IllegalArgumentException("sort must be relevance or time");
        };
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT);
    }
}
