package dev.tollgate.api.openai;

import dev.tollgate.api.AsyncAnswer;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.api.ProxyEndpoint;
import dev.tollgate.api.ProxyServlet;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.Operation;
import dev.tollgate.logs.LogCapture;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * The OpenAI dialect's model calls: {@code POST /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/responses} and {@code /v1/embeddings}, keyed by {@code Authorization: Bearer}.
 */
public final class OpenAiServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;

    /** The servlet's exact mappings, and what each calls. */
    public static final Map<String, Operation> PATHS = Map.of(
            "/v1/chat/completions", Operation.CHAT_COMPLETIONS,
            "/v1/completions", Operation.COMPLETIONS,
            "/v1/responses", Operation.RESPONSES,
            "/v1/embeddings", Operation.EMBEDDINGS);

    public OpenAiServlet(Gateway gateway, BodyReader bodies, LogCapture logs) {
        super(new ProxyEndpoint(gateway, bodies, OpenAiErrors.FORMAT, logs));
    }

    @Override
    protected void post(String path, HttpServletRequest request, AsyncAnswer answer) {
        endpoint.proxy(PATHS.get(path), request, answer, ClientKeyHeader.bearer(request.getHeader("Authorization")),
                Map.of(), null, false);
    }
}
