package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import jakarta.ws.rs.core.Response;

/** A whole {@link Reply} as a JAX-RS response, for the operator and listing endpoints that Jersey serves. */
public final class JaxRsReplies {
    private JaxRsReplies() {
    }

    public static Response response(Reply.Buffered reply) {
        Response.ResponseBuilder r = Response.status(reply.status()).type(reply.contentType()).entity(reply.body());
        reply.headers().forEach(r::header);
        return r.build();
    }
}
