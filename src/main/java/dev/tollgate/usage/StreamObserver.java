package dev.tollgate.usage;

import java.util.List;
import java.util.Optional;

/**
 * Watches one upstream stream as it passes to the client: says what the client gets for each
 * event, and keeps what the record needs (usage, whether the stream ended properly, its id).
 */
public interface StreamObserver {
    /**
     * Looks at one SSE event ({@code raw} bytes, {@code data} its data or null for a comment) and
     * returns the bytes the client gets for it: the same, others, or null for nothing.
     */
    byte[] onEvent(byte[] raw, String data);

    /** Whether the stream's proper end arrived ({@code [DONE]}, {@code message_stop}). */
    boolean done();

    /** The upstream's response id, when an event carried one. */
    Optional<String> responseId();

    /** Why the model stopped, as the stream's events said (for the trace); empty when none said. */
    default List<String> finishReasons() {
        return List.of();
    }

    /** An error the upstream reported inside the stream. */
    Optional<String> error();

    /** The usage to record given everything seen so far. */
    TokenUsage usage();

    UsageQuality quality();

    /** The event, in the client's format, that ends a stream the gateway had to cut short. */
    byte[] errorEvent(String message, boolean timeout);
}
