package dev.tollgate.json;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Each dialect's error body, in one place for the three who write one: refusals at the door, a
 * translated upstream error, and the error event that ends a stream early. A client sees the same
 * shape, type and code for the same status whichever of them speaks.
 */
public final class ErrorBodies {
    private ErrorBodies() {
    }

    /**
     * OpenAI's {@code {"error":{"message","type","param","code"}}} (the Responses API's too).
     *
     * @param param the request field at fault, or null
     * @param code  a code more precise than the status says ({@code insufficient_quota}), or null
     */
    public static JsonObject openAi(int status, String message, String param, String code) {
        String c = code != null ? code : openAiCode(status);
        return JSON.createObjectBuilder().add("error", JSON.createObjectBuilder()
                .add("message", message)
                .add("type", "insufficient_quota".equals(c) ? c : openAiType(status))
                .add("param", param == null ? JsonValue.NULL : JSON.createValue(param))
                .add("code", c)).build();
    }

    /** Anthropic's {@code {"type":"error","error":{"type","message"}}}. */
    public static JsonObject anthropic(int status, String message) {
        return JSON.createObjectBuilder().add("type", "error").add("error", JSON.createObjectBuilder()
                .add("type", anthropicType(status)).add("message", message)).build();
    }

    /** Google's {@code {"error":{"code","message","status"}}}. */
    public static JsonObject gemini(int status, String message) {
        return JSON.createObjectBuilder().add("error", JSON.createObjectBuilder().add("code", status)
                .add("message", message).add("status", googleStatus(status))).build();
    }

    /** OpenAI's own error types: a wrong or missing key is an {@code invalid_request_error} with code {@code invalid_api_key}. */
    private static String openAiType(int status) {
        return switch (status) {
            case 429 -> "rate_limit_error";
            case 502, 504 -> "upstream_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    private static String openAiCode(int status) {
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

    /** Anthropic's error type for a status. */
    public static String anthropicType(int status) {
        return switch (status) {
            case 400, 408, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    /** Google's status name for an HTTP status. */
    public static String googleStatus(int status) {
        return switch (status) {
            case 400, 413 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 502, 503 -> "UNAVAILABLE";
            case 408, 504 -> "DEADLINE_EXCEEDED";
            default -> "INTERNAL";
        };
    }
}
