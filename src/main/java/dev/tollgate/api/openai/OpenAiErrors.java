package dev.tollgate.api.openai;

import dev.tollgate.api.ErrorFormat;
import dev.tollgate.api.JaxRsReplies;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Reply;
import dev.tollgate.json.ErrorBodies;
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
        byte[] body = ErrorBodies.openAi(status, message, param, code).toString().getBytes(StandardCharsets.UTF_8);
        return new Reply.Buffered(status, "application/json", headers, body);
    }
}
