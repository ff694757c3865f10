package dev.tollgate.logs;

import dev.tollgate.translate.ChatCodec;
import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * What one call's client sent and received, as the bytes went by: the request body, and the whole
 * answer or the stream's bytes. Streams are kept up to the body cap and flagged truncated beyond
 * it; nothing is parsed here, on the call's path: the log writer does that later.
 */
public final class Transcript {
    private final Optional<ChatCodec> codec;
    private final int maxBytes;
    private byte[] request;
    private byte[] whole;
    private ByteArrayOutputStream streamed;
    private boolean truncated;

    /** @param codec the client's chat format, when the call is a chat call (it reads the stream back) */
    Transcript(Optional<ChatCodec> codec, int maxBytes) {
        this.codec = codec;
        this.maxBytes = maxBytes;
    }

    public synchronized void request(byte[] body) {
        request = body;
    }

    /** The whole answer the client was given. */
    public synchronized void whole(byte[] body) {
        whole = body;
    }

    /** Bytes of a stream, as they were written to the client. */
    public synchronized void streamed(byte[] bytes) {
        if (streamed == null) {
            streamed = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
        }
        int room = maxBytes - streamed.size();
        if (bytes.length > room) {
            truncated = true;
        }
        if (room > 0) {
            streamed.write(bytes, 0, Math.min(room, bytes.length));
        }
    }

    Optional<ChatCodec> codec() {
        return codec;
    }

    int maxBytes() {
        return maxBytes;
    }

    synchronized byte[] requestBytes() {
        return request;
    }

    /** The answer's bytes: the stream's when there was one, else the whole body; null when nothing was written. */
    synchronized byte[] answerBytes() {
        return streamed != null ? streamed.toByteArray() : whole;
    }

    synchronized boolean isStream() {
        return streamed != null;
    }

    synchronized boolean streamTruncated() {
        return truncated;
    }

    /** What it holds in memory while it waits to be written. */
    synchronized long size() {
        return (request == null ? 0 : request.length) + (whole == null ? 0 : whole.length)
                + (streamed == null ? 0 : streamed.size());
    }
}
