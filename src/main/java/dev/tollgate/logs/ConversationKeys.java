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
 */
record ConversationKeys(String thread, List<String> history) {
    /** How far back a call looks for the turn it branches from. */
    static final int MAX_HISTORY = 64;
    private static final char SEPARATOR = '\u0001';

    /**
     * The keys of a chat call, or empty when its request cannot be read as a chat; {@code thread} is
     * null when there is no answer to continue from (an error, an answer that cannot be read).
     */
    static Optional<ConversationKeys> of(ChatCodec codec, JsonValue request, JsonValue answer, String caller) {
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
        // each turn hashed once, and the keys hash those digests: a long history costs its length, not 64 times it
        List<String> digests = new ArrayList<>(turns.stream().map(StoredJson::hash).toList());
        List<String> history = new ArrayList<>();
        for (int keep = digests.size() - 1; keep >= Math.max(1, digests.size() - MAX_HISTORY); keep--) {
            history.add(key(caller, digests.subList(0, keep)));
        }
        String thread = null;
        if (answer instanceof JsonObject whole) {
            try {
                List<String> after = new ArrayList<>(digests);
                after.add(StoredJson.hash(Chat.Role.ASSISTANT.name() + SEPARATOR + said(codec.decodeResponse(whole).content())));
                thread = key(caller, after);
            } catch (RuntimeException unreadable) { // an error body: nothing continues from it
                thread = null;
            }
        }
        return Optional.of(new ConversationKeys(thread, List.copyOf(history)));
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

    private static String key(String caller, List<String> digests) {
        return StoredJson.hash(caller + SEPARATOR + String.join(String.valueOf(SEPARATOR), digests));
    }
}
