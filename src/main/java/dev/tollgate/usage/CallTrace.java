package dev.tollgate.usage;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a call's trace is told as the call goes (from whichever thread sees each fact): the request,
 * each attempt at an upstream, and the finished record. The metering holds it; with tracing off it is
 * {@link #OFF}, which does nothing and costs nothing.
 */
public interface CallTrace {
    CallTrace OFF = new CallTrace() {
        @Override
        public void request(JsonObject body) {
        }

        @Override
        public Attempt attempt(String provider, String credential, String upstreamModel, URI upstream, int number) {
            return Attempt.NONE;
        }

        @Override
        public void finish(UsageRecord record, Outcome outcome) {
        }
    };

    /** The client's request body, in its own format: the parameters, and the messages if content is captured. */
    void request(JsonObject body);

    /** An attempt at an upstream begins now: the {@code number}-th of the call, from 1. */
    Attempt attempt(String provider, String credential, String upstreamModel, URI upstream, int number);

    /** The call ended as its record says, the answer's own words in {@code outcome}. */
    void finish(UsageRecord record, Outcome outcome);

    /**
     * What the answer said of itself beyond the record: its id (null when none) and why the model
     * stopped, in the upstream's words.
     */
    record Outcome(String responseId, List<String> finishReasons) {
        public Outcome {
            finishReasons = List.copyOf(finishReasons);
        }
    }

    /** One attempt: the headers that carry the trace to the upstream, and its end. */
    interface Attempt {
        Attempt NONE = new Attempt() {
            @Override
            public Map<String, String> headers() {
                return Map.of();
            }

            @Override
            public void end(int status, boolean answered) {
            }
        };

        /** {@code traceparent} (and {@code tracestate}) for the upstream request; empty with tracing off. */
        Map<String, String> headers();

        /**
         * The attempt is over: the upstream answered {@code status}, or did not answer at all
         * ({@code answered} false) and {@code status} is what the gateway makes of that (502, 504).
         */
        void end(int status, boolean answered);
    }

    /** Opens a call's trace, continuing the caller's trace when its headers carry one. */
    @FunctionalInterface
    interface Factory {
        Factory OFF = (endpoint, traceparent, tracestate, startedAt) -> CallTrace.OFF;

        /** @param endpoint the client's path, which names the operation; the headers are null when absent */
        CallTrace start(String endpoint, String traceparent, String tracestate, Instant startedAt);
    }
}
