package dev.tollgate.api;

import dev.tollgate.gateway.GatewayException;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.GeminiContent;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Refusals worded in a dialect's own error shape, as its codec writes it: Anthropic's
 * {@code {"type":"error","error":{"type","message"}}}, Google's {@code {"error":{"code","message","status"}}}.
 */
public final class CodecErrors {
    public static final CodecErrors ANTHROPIC = new CodecErrors(AnthropicMessages.INSTANCE);
    public static final CodecErrors GEMINI = new CodecErrors(GeminiContent.INSTANCE);

    private final ChatCodec codec;

    private CodecErrors(ChatCodec codec) {
        this.codec = codec;
    }

    /** The refusal with its status and headers (Retry-After, rate-limit state). */
    public Response response(GatewayException e) {
        Response.ResponseBuilder r = builder(e.failure().status(), e.getMessage());
        e.headers().forEach(r::header);
        return r.build();
    }

    public Response response(int status, String message) {
        return builder(status, message).build();
    }

    private Response.ResponseBuilder builder(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(codec.error(status, message).toString());
    }
}
