package dev.tollgate.api.anthropic;

import dev.tollgate.gateway.GatewayException;
import dev.tollgate.translate.AnthropicMessages;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Errors in Anthropic's shape: {@code {"type":"error","error":{"type","message"}}}. */
public final class AnthropicErrors {
    private AnthropicErrors() {
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
                .entity(AnthropicMessages.INSTANCE.error(status, message).toString());
    }
}
