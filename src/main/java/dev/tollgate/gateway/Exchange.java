package dev.tollgate.gateway;

import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * How one attempt speaks to its upstream and answers the client: the same format passed through,
 * or translated. Every answer comes back with its usage, so no path can forget to count.
 */
interface Exchange {
    /** Path below the credential's base URL. */
    String path();

    byte[] body();

    JsonObject json();

    /** Client headers the upstream must see. */
    Map<String, String> headers();

    /** A fresh observer for a streamed answer. */
    StreamObserver observer();

    /**
     * The client's answer to a whole upstream body.
     *
     * @param ok whether the upstream answered 2xx
     */
    Answer answer(int status, boolean ok, byte[] body);

    /** The body and status for the client, with what the call used and how well that is known. */
    record Answer(int status, byte[] body, TokenUsage usage, UsageQuality quality, String upstreamId, String error,
                  List<String> finishReasons) {
        public Answer {
            finishReasons = List.copyOf(finishReasons);
        }

        /** An answer that says nothing of why the model stopped (an error, a body that is not JSON). */
        public Answer(int status, byte[] body, TokenUsage usage, UsageQuality quality, String upstreamId, String error) {
            this(status, body, usage, quality, upstreamId, error, List.of());
        }
    }
}
