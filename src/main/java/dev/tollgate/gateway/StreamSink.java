package dev.tollgate.gateway;

import java.io.IOException;

/** Where a stream's bytes go: the client's connection. An IOException means the client is gone. */
public interface StreamSink {
    /**
     * Adds bytes to what goes out at the next flush. Never blocks. The array is the sink's from then
     * on (queued until the client takes it, kept for the request log): never written to again.
     */
    void write(byte[] bytes) throws IOException;

    /** Sends everything written so far, as far as the client takes it now; never blocks. */
    void flush() throws IOException;

    /**
     * Whether the client has taken everything written so far. When it has not, {@code then} runs
     * once it has, or once the exchange has ended (the next write then fails), and this answers
     * false: the caller asks its upstream for more only when the client has caught up.
     */
    boolean drained(Runnable then);

    /** Ends the answer once the client has taken what was written. */
    void close();
}
