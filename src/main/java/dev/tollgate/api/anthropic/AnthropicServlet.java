package dev.tollgate.api.anthropic;

import dev.tollgate.api.AsyncAnswer;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.api.CodecErrors;
import dev.tollgate.api.ProxyEndpoint;
import dev.tollgate.api.ProxyServlet;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.Operation;
import dev.tollgate.logs.LogCapture;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Anthropic dialect: {@code POST /v1/messages} (stream or not) and
 * {@code POST /v1/messages/count_tokens}. The client key comes as {@code x-api-key}, as the
 * official SDK sends it, or as a Bearer token; {@code anthropic-version} and
 * {@code anthropic-beta} go on to Anthropic upstreams.
 */
public final class AnthropicServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    public static final String MESSAGES = "/v1/messages";
    public static final String COUNT_TOKENS = "/v1/messages/count_tokens";
    private static final String[] FORWARDED = {"anthropic-version", "anthropic-beta"};

    public AnthropicServlet(Gateway gateway, BodyReader bodies, LogCapture logs) {
        super(new ProxyEndpoint(gateway, bodies, CodecErrors.ANTHROPIC, logs));
    }

    @Override
    protected void post(String path, HttpServletRequest request, AsyncAnswer answer) {
        if (COUNT_TOKENS.equals(path)) {
            endpoint.countTokens(Operation.MESSAGES, request, answer, key(request), forwarded(request), null,
                    n -> "{\"input_tokens\":" + n + "}");
        } else {
            endpoint.proxy(Operation.MESSAGES, request, answer, key(request), forwarded(request), null, false);
        }
    }

    static Optional<String> key(HttpServletRequest request) {
        String apiKey = request.getHeader("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.trim());
        }
        return ClientKeyHeader.bearer(request.getHeader("Authorization"));
    }

    private static Map<String, String> forwarded(HttpServletRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : FORWARDED) {
            String v = request.getHeader(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }
}
