package dev.tollgate.api;

import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Reply;

/** How one dialect words a refusal, so that its official SDK raises its own error type. */
public interface ErrorFormat {
    /** The refusal with its status and headers (Retry-After, rate-limit state). */
    Reply.Buffered reply(GatewayException e);

    Reply.Buffered reply(int status, String message);
}
