package dev.tollgate.logs;

import dev.tollgate.translate.Chat;
import dev.tollgate.translate.ChatCodec;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fingerprints that tie a chat call to the one it continues, format-free: each turn read
 * through the client's codec into the canonical chat model and reduced to what was said (text,
 * tool calls by name and arguments, tool results; never ids, which formats make up differently).
 * A call's {@code thread} is the fingerprint of the conversation after it (its caller, every
 * turn, its answer); its {@code history} keys are the fingerprints of its own turns without the
 * newest one, two, … (longest first). A call continues the one whose thread equals its longest
 * matching history: the same history plus that call's answer, then the new turn (or tool
 * results); a regenerated answer or an edited turn finds the same parent, a branch.
 *
 * <p>The fingerprints are chained: the key of the first n turns is the hash of the key of the
 * first n - 1 and the n-th turn's digest, so a call's keys cost its length once, not its length
 * for each of the 64 prefixes it looks back over.
 */
record ConversationKeys(String thread, List<String> history) {
    /** How far back a call looks for the turn it branches from. */
    static final int MAX_HISTORY = 64;
    private static final char SEPARATOR = '\u0001';

    /**
     * A chat request's keys, before its answer: computed on the call's path when the answer must
     * name its conversation, or by the log writer otherwise.
     *
     * @param whole the key of every turn the request holds, which its answer extends into the thread
     */
    record Request(String whole, List<String> history) {
        /** The call's keys once answered; its thread is null when nothing continues from the answer. */
        ConversationKeys answered(ChatCodec codec, JsonValue answer) {
            String thread = null;
            if (answer instanceof JsonObject body) {
                try {
                    thread = chain(whole, StoredJson.hash(Chat.Role.ASSISTANT.name() + SEPARATOR
                            + said(codec.decodeResponse(body).content())));
                } catch (RuntimeException unreadable) { // an error body: nothing continues from it
                    thread = null;
                }
            }
            return new ConversationKeys(thread, history);
        }
    }

    /** The keys of a chat request, or empty when it cannot be read as a chat. */
    static Optional<Request> of(ChatCodec codec, JsonValue request, String caller) {
        if (!(request instanceof JsonObject body)) {
            return Optional.empty();
        }
        List<String> turns = new ArrayList<>();
        try {
            Chat.Request r = codec.decodeRequest(body);
            if (r.system() != null && !r.system().isEmpty()) {
                turns.add("system" + SEPARATOR + r.system());
            }
            r.messages().forEach(m -> turns.add(m.role().name() + SEPARATOR + said(m.parts())));
        } catch (RuntimeException unreadable) { // not a chat this codec reads
            return Optional.empty();
        }
        List<String> prefixes = new ArrayList<>(turns.size());
        String key = StoredJson.hash(caller);
        for (String turn : turns) {
            key = chain(key, StoredJson.hash(turn));
            prefixes.add(key);
        }
        List<String> history = new ArrayList<>();
        for (int keep = turns.size() - 1; keep >= Math.max(1, turns.size() - MAX_HISTORY); keep--) {
            history.add(prefixes.get(keep - 1));
        }
        return Optional.of(new Request(key, List.copyOf(history)));
    }

    private static String chain(String key, String digest) {
        return StoredJson.hash(key + SEPARATOR + digest);
    }

    private static String said(List<Chat.Part> parts) {
        StringBuilder b = new StringBuilder();
        for (Chat.Part p : parts) {
            b.append(SEPARATOR);
            if (p instanceof Chat.Text t) {
                b.append(t.text());
            } else if (p instanceof Chat.ToolCall c) {
                b.append("call ").append(c.name()).append(' ').append(c.arguments());
            } else if (p instanceof Chat.ToolResult r) {
                b.append("result ").append(r.content());
            } else if (p instanceof Chat.Image) {
                b.append("image");
            }
        }
        return b.toString();
    }
}
