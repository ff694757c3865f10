package dev.tollgate.logs;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * One logged call as it is stored: its facts, the request without its conversation (the
 * {@code layout} says where each message goes back), and its messages, the answer last.
 *
 * @param layout   {@code {"body": the request less its conversation fields, "fields": [{"name", "array", "count"}]}}
 * @param messages the conversation in order from {@code seq} 0, and the answer at {@link #ANSWER}
 * @param flags    {@link #PARTIAL}, {@link #TRUNCATED}, {@link #REDACTED}, {@link #NO_REQUEST}
 * @param conversationId the conversation the client named, or null to find it by {@code keys}
 * @param announced the conversation the call's answer named (x-tollgate-conversation-id), null if none
 * @param keys     what ties a chat call to the one it continues; null for calls that are no chat
 */
record LogEntry(String id, Instant ts, String endpoint, String requestedModel, String model, String provider,
                String keyMasked, String keyId, String userId, int status, boolean stream, int flags, String error,
                String conversationId, String announced, JsonObject layout, List<Message> messages, ConversationKeys keys) {
    static final int ANSWER = -1;
    /** The answer is not all there: a cut or aborted stream, or a failure after the upstream had the request. */
    static final int PARTIAL = 1;
    /** The request or the answer was larger than {@code max-body-bytes}: what is stored is its beginning. */
    static final int TRUNCATED = 2;
    /** A redaction rule changed something before it was stored. */
    static final int REDACTED = 4;
    /** The call ended before its request body was read (a refused key, a body too large). */
    static final int NO_REQUEST = 8;

    LogEntry {
        messages = List.copyOf(messages);
    }

    /** One message, in its canonical spelling, with its hash and searchable text. */
    record Message(int seq, String hash, String json, String text) {
    }

    /** Stored bytes, roughly: what this entry adds if none of its messages were stored before. */
    long size() {
        return layout.toString().length() + messages.stream().mapToLong(m -> m.json().length()).sum();
    }
}
