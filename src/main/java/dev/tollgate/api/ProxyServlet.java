package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A dialect's model-call paths, served by a plain asynchronous servlet rather than JAX-RS: these
 * paths carry every model call, and the JAX-RS machinery was a third of the gateway's CPU per call
 * (bench/README.md). A POST is suspended and answered when the gateway has the reply, without a
 * container thread waiting; other methods are answered at once; every refusal in the dialect's own
 * error format.
 */
public abstract class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());

    protected final transient ProxyEndpoint endpoint;

    protected ProxyServlet(ProxyEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Handles one POST to {@code path} (below the context), answering through {@code answer}. */
    protected abstract void post(String path, HttpServletRequest request, AsyncAnswer answer);

    /** The answer to a GET of {@code path}; null when the path answers no GET. */
    protected Reply.Buffered get(String path, HttpServletRequest request) {
        return null;
    }

    /** Whether a GET or DELETE of {@code path} must ask the upstream (a provider's stored state). */
    protected boolean upstreamState(String path) {
        return false;
    }

    /** Handles a request of {@link #upstreamState} paths, answering through {@code answer}. */
    protected void state(String method, String path, HttpServletRequest request, AsyncAnswer answer) {
        answer.reply(endpoint.errors().reply(405, "Method not allowed for " + request.getRequestURI()));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if ("POST".equals(request.getMethod())) {
            AsyncAnswer answer = AsyncAnswer.start(request);
            try {
                post(path, request, answer);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "tollgate: unexpected error on " + path, e);
                answer.reply(endpoint.errors().reply(500, "The gateway failed to complete the request."));
            }
            return;
        }
        if (("GET".equals(request.getMethod()) || "DELETE".equals(request.getMethod())) && upstreamState(path)) {
            AsyncAnswer answer = AsyncAnswer.start(request);
            try {
                state(request.getMethod(), path, request, answer);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "tollgate: unexpected error on " + path, e);
                answer.reply(endpoint.errors().reply(500, "The gateway failed to complete the request."));
            }
            return;
        }
        Reply.Buffered reply = "GET".equals(request.getMethod()) ? get(path, request) : null;
        if (reply == null) {
            response.setHeader("Allow", "POST");
            reply = endpoint.errors().reply(405, "Method not allowed for " + request.getRequestURI());
        }
        ServletReplies.write(reply, response);
    }
}
