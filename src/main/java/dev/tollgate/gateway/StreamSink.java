package dev.tollgate.gateway;

import java.io.IOException;

/** Where a stream's bytes go: the client's connection. Each send is flushed. */
public interface StreamSink {
    /** Writes and flushes; an IOException means the client is gone. */
    void send(byte[] bytes) throws IOException;

    void close();
}
