package dev.tollgate.upstream;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * A provider's answer once its status and headers are in; the body follows as a publisher so
 * streams pass through chunk by chunk and nobody holds a thread while waiting for the next one.
 */
public record UpstreamResponse(int status, Optional<String> contentType, Optional<String> requestId,
                               Optional<String> retryAfterHeader, Flow.Publisher<List<ByteBuffer>> body) {

    public UpstreamResponse(int status, Optional<String> contentType, Optional<String> requestId,
                            Flow.Publisher<List<ByteBuffer>> body) {
        this(status, contentType, requestId, Optional.empty(), body);
    }

    /** The upstream's {@code Retry-After}: seconds, or an HTTP date; empty when absent or unreadable. */
    public Optional<Duration> retryAfter() {
        return retryAfterHeader.flatMap(v -> {
            String t = v.trim();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(t))));
            } catch (NumberFormatException e) {
                try {
                    Instant at = ZonedDateTime.parse(t,
                            DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    Duration d = Duration.between(Instant.now(), at);
                    return Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (DateTimeParseException e2) {
                    return Optional.empty();
                }
            }
        });
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** Statuses worth another attempt elsewhere: rate limited or the provider failing. */
    public boolean retryable() {
        return status == 429 || status >= 500;
    }

    /** Reads and drops the body, so the connection returns to the pool. */
    public void discard() {
        body.subscribe(HttpResponse.BodySubscribers.discarding());
    }
}
