package dev.tollgate.gateway;

import java.util.Map;

/** The gateway's answer to a call, for the API layer to write. */
public sealed interface Reply {
    int status();

    /** Headers for the client (request ids); never upstream credentials. */
    Map<String, String> headers();

    /** A whole body, known at once. */
    record Buffered(int status, String contentType, Map<String, String> headers, byte[] body) implements Reply {
    }

    /** A server-sent-event stream; the API layer opens a sink and hands it to {@code source}. */
    record Stream(int status, Map<String, String> headers, StreamSource source) implements Reply {
    }

    /** Produces a stream's bytes into a sink, from whatever thread the upstream answers on. */
    interface StreamSource {
        void start(StreamSink sink);
    }
}
