package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.AccessException;
import dev.tollgate.access.AccessException.Kind;
import dev.tollgate.access.ClientKey;
import dev.tollgate.access.User;
import dev.tollgate.config.LimitSet;
import dev.tollgate.json.BoundedJson;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The admin API's JSON: how users, keys and limits look, how bodies are read, how errors are said. */
final class AdminJson {
    private AdminJson() {
    }

    /** Runs an admin action; a refused one becomes its error response. */
    static Response respond(Supplier<Response> action) {
        try {
            return action.get();
        } catch (AccessException e) {
            return error(e);
        }
    }

    static Response ok(JsonValue body) {
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON).build();
    }

    static Response created(JsonValue body) {
        return Response.status(201).entity(body.toString()).type(MediaType.APPLICATION_JSON).build();
    }

    /** {@code {"error":{"message","type"}}} with 400, 404 or 409 by kind. */
    static Response error(AccessException e) {
        int status = switch (e.kind()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
        String type = switch (e.kind()) {
            case INVALID -> "invalid_request_error";
            case NOT_FOUND -> "not_found_error";
            case CONFLICT -> "conflict_error";
        };
        String body = JSON.createObjectBuilder().add("error", JSON.createObjectBuilder().add("message", e.getMessage())
                .add("type", type)).build().toString();
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON).build();
    }

    static AccessException invalid(String message) {
        return new AccessException(Kind.INVALID, message);
    }

    /** The body as a JSON object whose fields are all among {@code allowed}, small and shallow as admin bodies are. */
    static JsonObject body(String text, Set<String> allowed) {
        if (text != null && text.length() > MAX_BODY_CHARS) {
            throw invalid("the body is larger than " + MAX_BODY_CHARS + " characters");
        }
        JsonObject o;
        try {
            o = BoundedJson.object((text == null || text.isBlank() ? "{}" : text).getBytes(StandardCharsets.UTF_8), BOUNDS);
        } catch (BoundedJson.Refused e) {
            throw invalid("the body is not a valid JSON object: " + e.getMessage());
        }
        for (String k : o.keySet()) {
            if (allowed != null && !allowed.contains(k)) {
                String shown = k.length() > 64 ? k.substring(0, 64) + "…" : k;
                throw invalid("unknown field '" + shown + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return o;
    }

    /** JSON this gateway wrote itself (a stored spec), read back as an object. */
    static JsonObject object(String json) {
        return body(json, null);
    }

    private static final int MAX_BODY_CHARS = 64 * 1024;
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(8, 1_000);

    static Optional<String> string(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonString s) {
            return Optional.of(s.getString());
        }
        throw invalid("'" + field + "' must be a string");
    }

    static Optional<Instant> time(JsonObject o, String field) {
        return string(o, field).map(t -> {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw invalid("'" + field + "' must be an ISO 8601 UTC time such as 2026-12-31T00:00:00Z (got '" + t + "')");
            }
        });
    }

    static JsonObjectBuilder user(User u) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("id", u.id()).add("name", u.name());
        u.team().ifPresent(t -> b.add("team", t));
        return b.add("created_at", u.createdAt().toString()).add("updated_at", u.updatedAt().toString());
    }

    static JsonObjectBuilder key(ClientKey k, Instant now) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("id", k.id()).add("user", k.userId()).add("name", k.name())
                .add("masked", k.masked()).add("state", k.state(now)).add("created_at", k.createdAt().toString());
        k.expiresAt().ifPresent(t -> b.add("expires_at", t.toString()));
        k.revokedAt().ifPresent(t -> b.add("revoked_at", t.toString()));
        return b;
    }

    static JsonArrayBuilder keys(List<ClientKey> keys, Instant now) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        keys.forEach(k -> a.add(key(k, now)));
        return a;
    }

    /** Limits as JSON: whole numbers, budgets as USD numbers; kinds without a limit are left out. */
    static JsonObjectBuilder limits(Map<LimitSet.Kind, Long> values) {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        values.forEach((k, v) -> {
            if (k.money()) {
                b.add(k.jsonKey(), LimitSet.usd(v));
            } else {
                b.add(k.jsonKey(), v);
            }
        });
        return b;
    }

    /** A whole set of limits from a body: each field a non-negative number or null (no limit). */
    static LimitSet limitSet(JsonObject o) {
        Map<LimitSet.Kind, Long> values = new EnumMap<>(LimitSet.Kind.class);
        for (LimitSet.Kind k : LimitSet.Kind.values()) {
            JsonValue v = o.get(k.jsonKey());
            if (v == null || v == JsonValue.NULL) {
                continue;
            }
            BigDecimal n;
            if (v instanceof JsonNumber num) {
                n = num.bigDecimalValue();
            } else if (k.money() && v instanceof JsonString s) {
                try {
                    n = new BigDecimal(s.getString().trim());
                } catch (NumberFormatException e) {
                    throw invalid("'" + k.jsonKey() + "' must be an amount in USD such as 25.00");
                }
            } else {
                throw invalid("'" + k.jsonKey() + "' must be a number or null");
            }
            try {
                values.put(k, k.money() ? LimitSet.picoUsd(n) : n.longValueExact());
            } catch (ArithmeticException e) {
                throw invalid("'" + k.jsonKey() + "' must be a whole number");
            } catch (IllegalArgumentException e) {
                throw invalid("'" + k.jsonKey() + "': " + e.getMessage());
            }
            if (n.signum() < 0) {
                throw invalid("'" + k.jsonKey() + "' cannot be negative");
            }
        }
        return new LimitSet(values);
    }

    static Set<String> limitFields() {
        return Arrays.stream(LimitSet.Kind.values()).map(LimitSet.Kind::jsonKey)
                .collect(Collectors.toUnmodifiableSet());
    }
}
