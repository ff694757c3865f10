package dev.tollgate.api.openai;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.gateway.GatewayException;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Errors in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}. */
public final class OpenAiErrors {
    private OpenAiErrors() {
    }

    public static Response response(GatewayException e) {
        Response.ResponseBuilder r = builder(e.failure().status(), e.getMessage(), e.param(), e.code());
        e.headers().forEach(r::header);
        return r.build();
    }

    public static Response response(int status, String message, String param) {
        return builder(status, message, param, null).build();
    }

    private static Response.ResponseBuilder builder(int status, String message, String param, String code) {
        String c = code != null ? code : code(status);
        JsonObjectBuilder error = JSON.createObjectBuilder()
                .add("message", message)
                .add("type", "insufficient_quota".equals(c) ? c : type(status))
                .add("param", param == null ? JsonValue.NULL : JSON.createValue(param))
                .add("code", c);
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(JSON.createObjectBuilder().add("error", error).build().toString());
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
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limit_exceeded";
            case 502 -> "upstream_unavailable";
            case 504 -> "upstream_timeout";
            default -> "internal_error";
        };
    }
}
