package dev.tollgate.upstream;

import java.util.concurrent.CompletableFuture;

/** A provider endpoint that takes one call at a time and answers asynchronously. */
public interface Upstream {
    /** Completes when status and headers are in; fails with an {@link java.io.IOException} on a network error. */
    CompletableFuture<UpstreamResponse> send(UpstreamRequest request);
}
