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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** The Responses API's stored responses: {@code /v1/responses/{id}}, {@code …/cancel}, {@code …/input_items}. */
    public static final String STORED = "/v1/responses/*";
    private static final Pattern STORED_PATH = Pattern.compile("/v1/responses/([A-Za-z0-9_-]{1,200})(/cancel|/input_items)?");
    /** The query a stored-response request may pass on: pagination and {@code include[]}, nothing that is URL syntax. */
    private static final Pattern SAFE_QUERY = Pattern.compile("[A-Za-z0-9_.=&%\\[\\]-]{0,2048}");

    public OpenAiServlet(Gateway gateway, BodyReader bodies, LogCapture logs) {
        super(new ProxyEndpoint(gateway, bodies, OpenAiErrors.FORMAT, logs));
    }

    @Override
    protected void post(String path, HttpServletRequest request, AsyncAnswer answer) {
        if (path.startsWith("/v1/responses/")) {
            state("POST", path, request, answer);
            return;
        }
        endpoint.proxy(PATHS.get(path), request, answer, ClientKeyHeader.bearer(request.getHeader("Authorization")),
                Map.of(), null, false);
    }

    @Override
    protected boolean upstreamState(String path) {
        return path.startsWith("/v1/responses/");
    }

    /**
     * A response the provider stored: retrieved, deleted, cancelled or its input listed, from the
     * credential that knows it ({@link Gateway#storedResponse}). Retrieval as a stream is not served.
     */
    @Override
    protected void state(String method, String path, HttpServletRequest request, AsyncAnswer answer) {
        Matcher m = STORED_PATH.matcher(path);
        String sub = m.matches() && m.group(2) != null ? m.group(2) : "";
        boolean allowed = m.matches() && switch (method) {
            case "GET" -> !sub.equals("/cancel");
            case "DELETE" -> sub.isEmpty();
            case "POST" -> sub.equals("/cancel");
            default -> false;
        };
        String query = request.getQueryString();
        if (!m.matches()) {
            answer.reply(endpoint.errors().reply(404, "Unknown request URL: " + method + " " + request.getRequestURI()));
        } else if (!allowed) {
            answer.reply(endpoint.errors().reply(405, "Method not allowed for " + request.getRequestURI()));
        } else if (query != null && (!SAFE_QUERY.matcher(query).matches() || query.contains("stream=true"))) {
            answer.reply(endpoint.errors().reply(400, "Unsupported query: pagination and include[] are passed on; "
                    + "a stored response is not served as a stream."));
        } else {
            endpoint.storedState(method, path.substring("/v1".length()) + (query == null ? "" : "?" + query), request,
                    answer, ClientKeyHeader.bearer(request.getHeader("Authorization")));
        }
    }
}
