package dev.tollgate.api;

import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Reply;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.GeminiContent;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Refusals worded in a dialect's own error shape, as its codec writes it: Anthropic's
 * {@code {"type":"error","error":{"type","message"}}}, Google's {@code {"error":{"code","message","status"}}}.
 */
public final class CodecErrors implements ErrorFormat {
    public static final CodecErrors ANTHROPIC = new CodecErrors(AnthropicMessages.INSTANCE);
    public static final CodecErrors GEMINI = new CodecErrors(GeminiContent.INSTANCE);

    private final ChatCodec codec;

    private CodecErrors(ChatCodec codec) {
        this.codec = codec;
    }

    @Override
    public Reply.Buffered reply(GatewayException e) {
        return reply(e.failure().status(), e.getMessage(), e.headers());
    }

    @Override
    public Reply.Buffered reply(int status, String message) {
        return reply(status, message, Map.of());
    }

    public Response response(int status, String message) {
        return JaxRsReplies.response(reply(status, message));
    }

    private Reply.Buffered reply(int status, String message, Map<String, String> headers) {
        return new Reply.Buffered(status, "application/json", headers,
                codec.error(status, message).toString().getBytes(StandardCharsets.UTF_8));
    }
}
