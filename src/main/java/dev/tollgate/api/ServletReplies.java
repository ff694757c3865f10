package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Writes a gateway {@link Reply}'s status, headers and whole body straight to a servlet response. */
public final class ServletReplies {
    private ServletReplies() {
    }

    /** Writes a whole body with its length; the caller ends the exchange. */
    public static void write(Reply.Buffered reply, HttpServletResponse response) throws IOException {
        head(reply, response);
        response.getOutputStream().write(reply.body());
    }

    /** Status, headers and length of a whole body, before the body itself. */
    static void head(Reply.Buffered reply, HttpServletResponse response) {
        response.setStatus(reply.status());
        response.setContentType(reply.contentType());
        headers(response, reply.headers());
        response.setContentLength(reply.body().length);
    }

    /** Status and headers of an event stream, before its first event. */
    static void startStream(Reply.Stream reply, HttpServletResponse response) {
        response.setStatus(reply.status());
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // an nginx in front must not hold events back
        headers(response, reply.headers());
    }

    private static void headers(HttpServletResponse response, Map<String, String> headers) {
        headers.forEach(response::setHeader);
    }
}
