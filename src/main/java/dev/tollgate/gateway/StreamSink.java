package dev.tollgate.gateway;

import java.io.IOException;

/** Where a stream's bytes go: the client's connection. An IOException means the client is gone. */
public interface StreamSink {
    /** Adds bytes to what goes out at the next flush (or sooner, when the container's buffer fills). */
    void write(byte[] bytes) throws IOException;

    /** Sends everything written so far. */
    void flush() throws IOException;

    void close();
}
