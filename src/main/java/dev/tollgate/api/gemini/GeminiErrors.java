package dev.tollgate.api.gemini;

import dev.tollgate.gateway.GatewayException;
import dev.tollgate.translate.GeminiContent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Errors in Google's shape: {@code {"error":{"code","message","status"}}}. */
public final class GeminiErrors {
    private GeminiErrors() {
    }

    public static Response response(GatewayException e) {
        Response.ResponseBuilder r = builder(e.failure().status(), e.getMessage());
        e.headers().forEach(r::header);
        return r.build();
    }

    public static Response response(int status, String message) {
        return builder(status, message).build();
    }

    private static Response.ResponseBuilder builder(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(GeminiContent.INSTANCE.error(status, message).toString());
    }
}
