package dev.tollgate.logs;

import dev.tollgate.translate.ChatCodec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * What one call's client sent and received, as the bytes went by: the request body, and the whole
 * answer or the stream's bytes. A stream's copy is kept up to the body cap, and only while the
 * log's memory budget allows (open streams and waiting calls share it); beyond either it is
 * flagged truncated. Nothing is parsed here, on the call's path: the log writer does that later,
 * but for the conversation the answer names, which {@link LogCapture#announce} finds before it goes.
 */
public final class Transcript {
    /** Memory the request log may hold, shared by every transcript. */
    interface Budget {
        boolean take(long bytes);

        void release(long bytes);
    }

    private final Optional<ChatCodec> codec;
    private final int maxBytes;
    private final Budget budget;
    private long held;
    private byte[] request;
    private String conversationHint;
    private String announced;
    private ConversationKeys.Request keys;
    private byte[] whole;
    private ByteArrayOutputStream streamed;
    private boolean truncated;

    /** @param codec the client's chat format, when the call is a chat call (it reads the stream back) */
    Transcript(Optional<ChatCodec> codec, int maxBytes, Budget budget) {
        this.codec = codec;
        this.maxBytes = maxBytes;
        this.budget = budget;
    }

    /** A transcript outside any budget (tools and tests). */
    Transcript(Optional<ChatCodec> codec, int maxBytes) {
        this(codec, maxBytes, new Budget() {
            @Override
            public boolean take(long bytes) {
                return true;
            }

            @Override
            public void release(long bytes) {
                // nothing was held
            }
        });
    }

    public synchronized void request(byte[] body) {
        request = capped(body);
    }

    /** The conversation the client named in a header, if it did. */
    public synchronized void conversationHint(String id) {
        conversationHint = id;
    }

    synchronized String conversationHint() {
        return conversationHint;
    }

    /** The conversation the call's answer names, and the request's keys when they were computed for it. */
    synchronized void announce(String conversation, ConversationKeys.Request requestKeys) {
        announced = conversation;
        keys = requestKeys;
    }

    /** The conversation to name in the answer's {@code x-tollgate-conversation-id}; null for none. */
    public synchronized String conversation() {
        return announced;
    }

    synchronized ConversationKeys.Request keys() {
        return keys;
    }

    /** The whole answer the client was given. */
    public synchronized void whole(byte[] body) {
        whole = capped(body);
    }

    /** A body over the cap is kept only as far as it is stored (one byte more says it was larger). */
    private byte[] capped(byte[] body) {
        return body.length > maxBytes ? Arrays.copyOf(body, maxBytes + 1) : body;
    }

    /** Bytes of a stream, as they were written to the client; once cut, the rest is not kept. */
    public synchronized void streamed(byte[] bytes) {
        if (streamed == null) {
            streamed = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
        }
        if (truncated) {
            return;
        }
        int copy = Math.min(maxBytes - streamed.size(), bytes.length);
        if (copy <= 0 || !budget.take(copy)) {
            truncated = true;
            return;
        }
        held += copy;
        streamed.write(bytes, 0, copy);
        truncated = copy < bytes.length;
    }

    /** Gives back what the stream's copy held of the budget; once, when the transcript is done with. */
    synchronized void release() {
        budget.release(held);
        held = 0;
    }

    /** What the stream's copy holds of the budget. */
    synchronized long held() {
        return held;
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
