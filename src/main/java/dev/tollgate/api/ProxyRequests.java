package dev.tollgate.api;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.util.Optional;

/**
 * Parses and checks a model call's body, whatever its dialect: a valid JSON object, a model, the
 * operation's required field, a boolean {@code stream}. Messages are mistakes for the caller to fix.
 */
public final class ProxyRequests {
    private ProxyRequests() {
    }

    public static ProxyCall parse(Operation op, Caller caller, byte[] raw, java.util.Map<String, String> headers,
                                  boolean debug) {
        JsonObject body = object(raw);
        String model = string(body, "model").filter(m -> !m.isBlank()).orElseThrow(() ->
                invalid("You must provide a model parameter.", "model"));
        required(op, body);
        return new ProxyCall(op, caller, model, stream(op, body), body, raw, headers, fallbacks(body), debug);
    }

    /** A call whose model and streaming the URL names (Gemini's {@code models/{model}:streamGenerateContent}). */
    public static ProxyCall parse(Operation op, Caller caller, byte[] raw, java.util.Map<String, String> headers,
                                  boolean debug, String model, boolean stream) {
        JsonObject body = object(raw);
        required(op, body);
        return new ProxyCall(op, caller, model, stream, body, raw, headers, fallbacks(body), debug);
    }

    private static void required(Operation op, JsonObject body) {
        String required = switch (op) {
            case CHAT_COMPLETIONS, MESSAGES -> "messages";
            case GENERATE_CONTENT -> "contents";
            case COMPLETIONS -> "prompt";
            case EMBEDDINGS, RESPONSES -> "input";
        };
        JsonValue value = body.get(required);
        if (value == null || value == JsonValue.NULL) {
            throw invalid("Missing required parameter: '" + required + "'.", required);
        }
        if (op.chat() && op != Operation.RESPONSES && value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw invalid("Invalid type for '" + required + "': expected an array.", required);
        }
    }

    private static boolean stream(Operation op, JsonObject body) {
        boolean stream = false;
        JsonValue s = body.get("stream");
        if (s != null && s != JsonValue.NULL) {
            if (s != JsonValue.TRUE && s != JsonValue.FALSE) {
                throw invalid("Invalid type for 'stream': expected a boolean.", "stream");
            }
            stream = s == JsonValue.TRUE && op.streams();
        }
        return stream;
    }

    /** The request-level {@code models} array: fallback model names, tried in order. */
    private static java.util.List<String> fallbacks(JsonObject body) {
        JsonValue v = body.get("models");
        if (v == null || v == JsonValue.NULL) {
            return java.util.List.of();
        }
        if (!(v instanceof jakarta.json.JsonArray list)) {
            throw invalid("Invalid type for 'models': expected an array of model names.", "models");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonValue m : list) {
            if (!(m instanceof JsonString s) || s.getString().isBlank()) {
                throw invalid("Invalid 'models': every entry must be a model name.", "models");
            }
            out.add(s.getString());
        }
        return out;
    }

    private static JsonObject object(byte[] raw) {
        if (raw.length == 0) {
            throw invalid("The request body is empty: send a JSON object.", null);
        }
        try (JsonReader reader = JSON.createReader(new ByteArrayInputStream(raw))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw invalid("The request body must be a JSON object.", null);
            }
            return value.asJsonObject();
        } catch (JsonException | IllegalStateException e) {
            throw invalid("We could not parse the JSON body of your request: " + e.getMessage(), null);
        }
    }

    private static Optional<String> string(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (!(v instanceof JsonString s)) {
            throw invalid("Invalid type for '" + key + "': expected a string.", key);
        }
        return Optional.of(s.getString());
    }

    private static GatewayException invalid(String message, String param) {
        return new GatewayException(Failure.INVALID_REQUEST, message, param);
    }
}
