package dev.tollgate.logs;

import dev.tollgate.translate.ChatCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    /**
     * The stream's writes as they were handed to the client, kept by reference: each is an array
     * made for that one write and never written to again, so copying them into one buffer as they
     * went (8 KB taken up front, then copied out once more) was allocation for nothing.
     */
    private List<byte[]> streamed;
    private int streamedBytes;
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

    /**
     * Bytes of a stream, as they were written to the client; once cut, the rest is not kept. Kept as
     * they are, not copied: whoever writes a stream hands each array over for good (the gateway's
     * {@code StreamSink.write}).
     */
    public synchronized void streamed(byte[] bytes) {
        if (streamed == null) {
            streamed = new ArrayList<>();
        }
        if (truncated) {
            return;
        }
        int copy = Math.min(maxBytes - streamedBytes, bytes.length);
        if (copy <= 0 || !budget.take(copy)) {
            truncated = true;
            return;
        }
        held += copy;
        streamed.add(copy == bytes.length ? bytes : Arrays.copyOf(bytes, copy));
        streamedBytes += copy;
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
        if (streamed == null) {
            return whole;
        }
        byte[] all = new byte[streamedBytes];
        int at = 0;
        for (byte[] piece : streamed) {
            System.arraycopy(piece, 0, all, at, piece.length);
            at += piece.length;
        }
        return all;
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
                + streamedBytes;
    }
}
