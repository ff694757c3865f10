package dev.tollgate.api.openai;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.api.ErrorFormat;
import dev.tollgate.api.JaxRsReplies;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Reply;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Errors in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}. */
public final class OpenAiErrors {
    /** The same wording as an {@link ErrorFormat}, for the proxy paths. */
    public static final ErrorFormat FORMAT = new ErrorFormat() {
        @Override
        public Reply.Buffered reply(GatewayException e) {
            return OpenAiErrors.reply(e);
        }

        @Override
        public Reply.Buffered reply(int status, String message) {
            return OpenAiErrors.reply(status, message, null);
        }
    };

    private OpenAiErrors() {
    }

    /** The refusal with its status and headers (Retry-After, rate-limit state). */
    public static Reply.Buffered reply(GatewayException e) {
        return reply(e.failure().status(), e.getMessage(), e.param(), e.code(), e.headers());
    }

    public static Reply.Buffered reply(int status, String message, String param) {
        return reply(status, message, param, null, Map.of());
    }

    public static Response response(GatewayException e) {
        return JaxRsReplies.response(reply(e));
    }

    public static Response response(int status, String message, String param) {
        return JaxRsReplies.response(reply(status, message, param));
    }

    private static Reply.Buffered reply(int status, String message, String param, String code,
                                        Map<String, String> headers) {
        String c = code != null ? code : code(status);
        JsonObjectBuilder error = JSON.createObjectBuilder()
                .add("message", message)
                .add("type", "insufficient_quota".equals(c) ? c : type(status))
                .add("param", param == null ? JsonValue.NULL : JSON.createValue(param))
                .add("code", c);
        byte[] body = JSON.createObjectBuilder().add("error", error).build().toString().getBytes(StandardCharsets.UTF_8);
        return new Reply.Buffered(status, "application/json", headers, body);
    }

    private static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 502, 504 -> "upstream_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "invalid_api_key";
            case 404 -> "model_not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limit_exceeded";
            case 502 -> "upstream_unavailable";
            case 504 -> "upstream_timeout";
            default -> "internal_error";
        };
    }
}
