package dev.tollgate.upstream;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * A provider's answer once its status and headers are in; the body follows as a publisher so
 * streams pass through chunk by chunk and nobody holds a thread while waiting for the next one.
 */
public record UpstreamResponse(int status, Optional<String> contentType, Optional<String> requestId,
                               Flow.Publisher<List<ByteBuffer>> body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** Statuses worth another attempt elsewhere: rate limited or the provider failing. */
    public boolean retryable() {
        return status == 429 || status >= 500;
    }

    /** Reads and drops the body, so the connection returns to the pool. */
    public void discard() {
        body.subscribe(java.net.http.HttpResponse.BodySubscribers.discarding());
    }
}
