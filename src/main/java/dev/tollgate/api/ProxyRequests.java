package dev.tollgate.api;

import dev.tollgate.access.Caller;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import dev.tollgate.json.BoundedJson;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses and checks a model call's body, whatever its dialect, within the configured input limits:
 * a JSON object of bounded depth and size, a model name that is an identifier, the operation's
 * required field, a boolean {@code stream}, bounded numbers of messages and tools, and token limits
 * that are whole numbers. Messages are mistakes for the caller to fix; none echoes a refused value.
 */
public final class ProxyRequests {
    /** The most fallback models one request may name. */
    static final int MAX_FALLBACKS = 16;
    /** The fields that cap a reply's length, per dialect; the limits reserve tokens by them. */
    private static final String[] OUTPUT_CAPS = {"max_tokens", "max_completion_tokens", "max_output_tokens"};
    private static final BigDecimal MAX_OUTPUT_CAP = BigDecimal.valueOf(Integer.MAX_VALUE);

    private final InputLimits limits;
    private final BoundedJson.Bounds bounds;

    public ProxyRequests(InputLimits limits) {
        this.limits = limits;
        this.bounds = new BoundedJson.Bounds(limits.maxJsonDepth(), limits.maxJsonValues());
    }

    public ProxyCall parse(Operation op, Caller caller, byte[] raw, Map<String, String> headers, boolean debug) {
        JsonObject body = object(raw);
        String model = string(body, "model").filter(m -> !m.isBlank()).orElseThrow(() ->
                invalid("You must provide a model parameter.", "model"));
        checkModel(model, "model");
        checks(op, body);
        return new ProxyCall(op, caller, model, stream(op, body), body, raw, headers, fallbacks(body), debug);
    }

    /** A call whose model and streaming the URL names (Gemini's {@code models/{model}:streamGenerateContent}). */
    public ProxyCall parse(Operation op, Caller caller, byte[] raw, Map<String, String> headers, boolean debug,
                           String model, boolean stream) {
        checkModel(model, "model");
        JsonObject body = object(raw);
        checks(op, body);
        return new ProxyCall(op, caller, model, stream, body, raw, headers, fallbacks(body), debug);
    }

    /**
     * A model name is an identifier: 1 to {@code max-model-name} printable ASCII characters, no
     * spaces, nothing that is URL syntax ({@link #URL_SYNTAX}, dot segments). Anything else never reaches routing, records, metric labels or an error message.
     */
    /**
     * Characters that would change an upstream URL the model name is written into (Gemini's path):
     * a query, a fragment, an escape. With {@code .}/{@code ..} segments refused too, a client's
     * model name can never point a credential at another path on its provider.
     */
    static final String URL_SYNTAX = "?#%\\";

    void checkModel(String model, String param) {
        if (model.isEmpty() || model.length() > limits.maxModelName()) {
            throw invalid("Invalid '" + param + "': a model name has 1 to " + limits.maxModelName() + " characters.",
                    param);
        }
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            if (c <= ' ' || c > '~' || URL_SYNTAX.indexOf(c) >= 0) {
                throw invalid("Invalid '" + param + "': a model name may only contain printable ASCII characters "
                        + "other than space and " + URL_SYNTAX + ".", param);
            }
        }
        for (String segment : model.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid("Invalid '" + param + "': a model name has no '.' or '..' segments.", param);
            }
        }
    }

    private void checks(Operation op, JsonObject body) {
        required(op, body);
        counted(body, op == Operation.GENERATE_CONTENT ? "contents" : op == Operation.RESPONSES ? "input" : "messages",
                limits.maxMessages(), "messages");
        counted(body, "requests", limits.maxMessages(), "requests"); // Gemini's batchEmbedContents
        tools(body);
        outputCaps(body);
    }

    private static void required(Operation op, JsonObject body) {
        String required = switch (op) {
            case CHAT_COMPLETIONS, MESSAGES -> "messages";
            case GENERATE_CONTENT -> "contents";
            case COMPLETIONS -> "prompt";
            case EMBEDDINGS, RESPONSES -> "input";
            case EMBED_CONTENT -> "content";
            case BATCH_EMBED_CONTENTS -> "requests";
        };
        JsonValue value = body.get(required);
        if (value == null || value == JsonValue.NULL) {
            throw invalid("Missing required parameter: '" + required + "'.", required);
        }
        if (op.chat() && op != Operation.RESPONSES && value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw invalid("Invalid type for '" + required + "': expected an array.", required);
        }
        if (op == Operation.EMBED_CONTENT && value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw invalid("Invalid type for '" + required + "': expected an object with 'parts'.", required);
        }
        if (op == Operation.BATCH_EMBED_CONTENTS && value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw invalid("Invalid type for '" + required + "': expected an array.", required);
        }
    }

    private static void counted(JsonObject body, String field, int max, String what) {
        if (body.get(field) instanceof JsonArray list && list.size() > max) {
            throw invalid("Too many " + what + " in '" + field + "': at most " + max + " are accepted.", field);
        }
    }

    /** Tools: OpenAI's and Anthropic's {@code tools}, and Gemini's function declarations inside them. */
    private void tools(JsonObject body) {
        if (!(body.get("tools") instanceof JsonArray tools)) {
            return;
        }
        long declared = tools.size();
        for (JsonValue t : tools) {
            if (t instanceof JsonObject tool && tool.get("functionDeclarations") instanceof JsonArray functions) {
                declared += functions.size();
            }
        }
        if (declared > limits.maxTools()) {
            throw invalid("Too many tools: at most " + limits.maxTools() + " are accepted.", "tools");
        }
    }

    /**
     * A reply's length cap must be a whole number from 0 to 2³¹−1: the token limits reserve by it, so
     * {@code 1e308}, {@code 12.5} or {@code "100"} must not pass as "no cap".
     */
    private static void outputCaps(JsonObject body) {
        for (String field : OUTPUT_CAPS) {
            outputCap(body.get(field), field);
        }
        if (body.get("generationConfig") instanceof JsonObject config) {
            outputCap(config.get("maxOutputTokens"), "generationConfig.maxOutputTokens");
        }
    }

    private static void outputCap(JsonValue v, String field) {
        if (v == null || v == JsonValue.NULL) {
            return;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.bigDecimalValue().signum() < 0
                || n.bigDecimalValue().compareTo(MAX_OUTPUT_CAP) > 0) {
            throw invalid("Invalid '" + field + "': expected a whole number of tokens from 0 to " + Integer.MAX_VALUE
                    + ".", field);
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
    private List<String> fallbacks(JsonObject body) {
        JsonValue v = body.get("models");
        if (v == null || v == JsonValue.NULL) {
            return List.of();
        }
        if (!(v instanceof JsonArray list)) {
            throw invalid("Invalid type for 'models': expected an array of model names.", "models");
        }
        if (list.size() > MAX_FALLBACKS) {
            throw invalid("Too many fallback 'models': at most " + MAX_FALLBACKS + " are accepted.", "models");
        }
        List<String> out = new ArrayList<>();
        for (JsonValue m : list) {
            if (!(m instanceof JsonString s) || s.getString().isBlank()) {
                throw invalid("Invalid 'models': every entry must be a model name.", "models");
            }
            checkModel(s.getString(), "models");
            out.add(s.getString());
        }
        return out;
    }

    private JsonObject object(byte[] raw) {
        if (raw.length == 0) {
            throw invalid("The request body is empty: send a JSON object.", null);
        }
        try {
            return BoundedJson.object(raw, bounds);
        } catch (BoundedJson.Refused e) {
            throw invalid("We could not parse the JSON body of your request: " + e.getMessage() + ".", null);
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
