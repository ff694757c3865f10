package dev.tollgate.usage;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.ErrorBodies;
import dev.tollgate.json.SseFrame;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads an OpenAI-format stream as it passes: the usage chunk (latest wins, as providers that
 * repeat cumulative usage per chunk expect), the text (for an estimate when usage never comes),
 * and whether {@code [DONE]} arrived. Hides the usage the gateway asked for on the client's behalf.
 *
 * <p>Passing through, it parses only the chunks that can matter: the first (its id) and those
 * naming a non-null {@code usage} or {@code error}. Plain content chunks are kept as they came and
 * parsed only if their text is needed for an estimate, in batches so that a long stream without
 * usage holds at most {@link #PENDING_CHARS} of them. Parsing every chunk was the gateway's largest
 * cost per stream.
 */
public final class OpenAiStreamObserver extends ObservedStream {
    /** Unparsed content kept per stream before it is read into text. */
    static final int PENDING_CHARS = 64 * 1024;

    private final boolean clientWantsUsage;
    private final List<String> pending = new ArrayList<>();
    private int pendingChars;
    private TokenUsage usage;

    /**
     * @param clientWantsUsage whether the client itself asked for {@code stream_options.include_usage}
     * @param estimatedPrompt  the tokenizer's count of the prompt, for when the upstream reports none
     */
    public OpenAiStreamObserver(boolean clientWantsUsage, LongSupplier estimatedPrompt) {
        super(estimatedPrompt);
        this.clientWantsUsage = clientWantsUsage;
    }

    /**
     * Looks at one event and says what the client gets: {@code raw} itself, other bytes, or null
     * (nothing: the usage chunk the client did not ask for).
     */
    @Override
    public byte[] onEvent(byte[] raw, String data) {
        if (data != null && id != null && !names(data, "\"usage\"") && !names(data, "\"error\"")) {
            defer(data);
            return raw;
        }
        JsonObject chunk = data == null ? null : read(data);
        if (chunk == null || !chunk.containsKey("usage") || !(chunk.get("usage") instanceof JsonObject)) {
            return raw; // comments, [DONE], what is not JSON (not ours to judge) and chunks without usage pass on
        }
        if (clientWantsUsage) {
            return raw;
        }
        if (chunk.get("choices") instanceof JsonArray choices && !choices.isEmpty()) {
            return withoutUsage(chunk); // usage rode on a content chunk: keep the content, drop the usage
        }
        return null;
    }

    @Override
    public JsonObject read(String data) {
        if (data.equals("[DONE]")) {
            done = true;
            return null;
        }
        JsonObject chunk = parse(data);
        if (chunk == null) {
            return null;
        }
        if (id == null && chunk.get("id") instanceof JsonString s) {
            id = s.getString();
        }
        if (chunk.get("error") instanceof JsonObject e) {
            error = e.getString("message", UNNAMED_ERROR);
        }
        OpenAiText.append(chunk.get("choices"), "delta", text::append);
        Optional<TokenUsage> reported = OpenAiUsage.of(chunk);
        reported.ifPresent(u -> usage = u);
        return chunk;
    }

    /** The usage to record, and how good it is, given everything seen so far. */
    @Override
    public TokenUsage usage() {
        readPendingUnlessReported();
        return usage != null ? usage : estimate();
    }

    @Override
    public UsageQuality quality() {
        readPendingUnlessReported();
        return quality(usage != null);
    }

    /**
     * The kept chunks are read only when no usage came as the stream passed: then they are needed
     * for an estimate, or one may carry usage under a key spelled with escapes.
     */
    private void readPendingUnlessReported() {
        if (usage == null) {
            readPending();
        }
    }

    /**
     * Whether {@code data} has {@code key} (quoted) with a value other than null. Inside a JSON
     * string a quote is escaped, so a quoted key can only be a key; a miss is a plain content chunk.
     */
    static boolean names(String data, String key) {
        for (int at = data.indexOf(key); at >= 0; at = data.indexOf(key, at + 1)) {
            int i = at + key.length();
            while (i < data.length() && (data.charAt(i) == ' ' || data.charAt(i) == ':' || data.charAt(i) == '\t'
                    || data.charAt(i) == '\n' || data.charAt(i) == '\r')) {
                i++;
            }
            if (!data.startsWith("null", i)) {
                return true;
            }
        }
        return false;
    }

    private void defer(String data) {
        if (data.equals("[DONE]")) {
            done = true;
            return;
        }
        pending.add(data);
        pendingChars += data.length();
        if (pendingChars > PENDING_CHARS) {
            readPending();
        }
    }

    /** Reads the content chunks kept unparsed, in order, into the text. */
    private void readPending() {
        for (String data : pending) {
            read(data);
        }
        pending.clear();
        pendingChars = 0;
    }

    @Override
    public byte[] errorEvent(String message, boolean timeout) {
        return event(message, timeout);
    }

    /** OpenAI's error body as one data event, for a stream the gateway has to end early. */
    public static byte[] event(String message, boolean timeout) {
        return SseFrame.data(ErrorBodies.openAi(timeout ? 504 : 502, message, null, null));
    }

    private static byte[] withoutUsage(JsonObject chunk) {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        for (Map.Entry<String, JsonValue> e : chunk.entrySet()) {
            if (!e.getKey().equals("usage")) {
                b.add(e.getKey(), e.getValue());
            }
        }
        return SseFrame.data(b.build());
    }
}
