package dev.tollgate.logs;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.json.BoundedJson;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.StreamAssembly;
import dev.tollgate.upstream.SseSplitter;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a call's client sent and received, with its usage record, into the entry the store
 * keeps: the request split into its conversation's messages, a stream put back together into the
 * whole answer of the client's own format, the redaction rules applied to all of it, and every
 * body held to {@code max-body-bytes}. Runs on the log writer's thread, never on a call's.
 */
final class EntryBuilder {
    private static final BoundedJson.Bounds BOUNDS = BoundedJson.Bounds.UPSTREAM;

    private final TollgateConfig.Logs settings;

    EntryBuilder(TollgateConfig.Logs settings) {
        this.settings = settings;
    }

    LogEntry build(Transcript t, UsageRecord r) {
        int flags = 0;
        StoredJson.Redactor redactor = new StoredJson.Redactor(settings.redact());
        List<LogEntry.Message> messages = new ArrayList<>();
        byte[] raw = t.requestBytes();
        JsonObject layout;
        JsonValue request = null;
        JsonValue sent = null;
        if (raw == null) {
            flags |= LogEntry.NO_REQUEST;
            layout = layout(JsonValue.EMPTY_JSON_OBJECT, JSON.createArrayBuilder());
        } else if (raw.length > t.maxBytes()) {
            flags |= LogEntry.TRUNCATED;
            messages.add(message(0, redactor.apply(JSON.createValue(prefix(raw, t.maxBytes())))));
            layout = layout(JsonValue.EMPTY_JSON_OBJECT, JSON.createArrayBuilder().add(field("", false, 1)));
        } else {
            sent = BoundedJson.tryObject(raw, BOUNDS).<JsonValue>map(o -> o)
                    .orElseGet(() -> JSON.createValue(new String(raw, StandardCharsets.UTF_8)));
            request = redactor.apply(sent);
            layout = split(request, t.codec(), messages);
        }
        Answer answer = answer(t, r);
        JsonValue answered = answer.body() == null ? null : redactor.apply(answer.body());
        if (answered != null) {
            messages.add(message(LogEntry.ANSWER, answered));
        }
        flags |= answer.flags();
        if (r.quality() == UsageQuality.PARTIAL || r.status() == 499) {
            flags |= LogEntry.PARTIAL;
        }
        if (redactor.changed()) {
            flags |= LogEntry.REDACTED;
        }
        String error = r.error() == null ? null : redactor.apply(r.error());
        return new LogEntry(r.id(), r.timestamp(), r.endpoint(), r.requestedModel(), r.model(), r.provider(),
                r.caller().key().masked(), r.caller().keyId(), r.caller().userId(), r.status(), r.stream(), flags, error,
                namedConversation(t.conversationHint(), request), t.conversation(), layout, messages,
                keys(t, sent, r.status() < 400 ? answer.body() : null, r));
    }

    /**
     * What ties the call to the one it continues, from the text as the client sent and received it
     * (the same keys the call's path computes, before redaction): those computed for its answer's
     * header, else computed now.
     */
    private static ConversationKeys keys(Transcript t, JsonValue sent, JsonValue answer, UsageRecord r) {
        if (t.codec().isEmpty()) {
            return null;
        }
        ConversationKeys.Request request = t.keys() != null ? t.keys()
                : ConversationKeys.of(t.codec().get(), sent, callerOf(r.caller())).orElse(null);
        return request == null ? null : request.answered(t.codec().get(), answer);
    }

    /** Who a conversation belongs to: the key that made its calls (two callers' same words are two conversations). */
    static String callerOf(Caller caller) {
        return caller.key().hash() != null ? caller.key().hash() : "anonymous";
    }

    /**
     * The conversation the client named: its header ({@code x-tollgate-conversation-id},
     * {@code Helicone-Session-Id}), else {@code metadata.conversation_id} or {@code metadata.session_id}
     * in its body; null when it named none (or nothing usable: 1 to 128 visible ASCII characters).
     */
    static String namedConversation(String header, JsonValue request) {
        String named = header;
        if (named == null && request instanceof JsonObject o && o.get("metadata") instanceof JsonObject meta) {
            named = meta.get("conversation_id") instanceof JsonString c ? c.getString()
                    : meta.get("session_id") instanceof JsonString c ? c.getString() : null;
        }
        return named != null && conversationId(named) ? named : null;
    }

    /** 1 to 128 visible ASCII characters ({@code [!-~]{1,128}}), checked on every chat call's path. */
    private static boolean conversationId(String s) {
        if (s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** The request less its conversation fields, each of whose messages is added in order. */
    private static JsonObject split(JsonValue body, Optional<ChatCodec> codec, List<LogEntry.Message> messages) {
        if (!(body instanceof JsonObject request) || codec.isEmpty()) { // not a chat call: the body is one message
            messages.add(message(0, body));
            return layout(JsonValue.EMPTY_JSON_OBJECT, JSON.createArrayBuilder().add(field("", false, 1)));
        }
        JsonObjectBuilder rest = JSON.createObjectBuilder(request);
        JsonArrayBuilder fields = JSON.createArrayBuilder();
        for (String name : codec.get().conversationFields()) {
            JsonValue v = request.get(name);
            if (v == null) {
                continue;
            }
            rest.remove(name);
            if (v.getValueType() == JsonValue.ValueType.ARRAY) {
                v.asJsonArray().forEach(m -> messages.add(message(messages.size(), m)));
                fields.add(field(name, true, v.asJsonArray().size()));
            } else {
                messages.add(message(messages.size(), v));
                fields.add(field(name, false, 1));
            }
        }
        return layout(rest.build(), fields);
    }

    private static JsonObject layout(JsonObject rest, JsonArrayBuilder fields) {
        return JSON.createObjectBuilder().add("body", rest).add("fields", fields).build();
    }

    private static JsonObjectBuilder field(String name, boolean array, int count) {
        return JSON.createObjectBuilder().add("name", name).add("array", array).add("count", count);
    }

    private static LogEntry.Message message(int seq, JsonValue v) {
        String canonical = StoredJson.canonical(v);
        return new LogEntry.Message(seq, StoredJson.hash(canonical), canonical, StoredJson.text(v));
    }

    /** The answer as the client received it, and the flags it earns. */
    private record Answer(JsonValue body, int flags) {
    }

    private static Answer answer(Transcript t, UsageRecord r) {
        byte[] bytes = t.answerBytes();
        if (bytes == null) {
            return new Answer(null, 0);
        }
        if (!t.isStream()) {
            if (bytes.length > t.maxBytes()) {
                return new Answer(JSON.createValue(prefix(bytes, t.maxBytes())), LogEntry.TRUNCATED);
            }
            return new Answer(BoundedJson.tryObject(bytes, BOUNDS).<JsonValue>map(o -> o)
                    .orElseGet(() -> JSON.createValue(new String(bytes, StandardCharsets.UTF_8))), 0);
        }
        int flags = t.streamTruncated() ? LogEntry.TRUNCATED | LogEntry.PARTIAL : 0;
        List<String> data = new ArrayList<>();
        for (String d : SseSplitter.data(bytes)) {
            if (d != null && !d.isEmpty() && !d.equals("[DONE]")) {
                data.add(d);
            }
        }
        if (t.codec().isEmpty()) { // a stream of another kind (completions): its events as they came
            JsonArrayBuilder events = JSON.createArrayBuilder();
            data.forEach(d -> events.add(BoundedJson.tryObject(d, BOUNDS).<JsonValue>map(o -> o)
                    .orElseGet(() -> JSON.createValue(d))));
            return new Answer(JSON.createObjectBuilder().add("events", events).build(), flags);
        }
        ChatCodec codec = t.codec().get();
        ChatCodec.StreamDecoder decoder = codec.transcriptDecoder();
        StreamAssembly assembly = new StreamAssembly();
        for (String d : data) {
            try {
                assembly.accept(decoder.decode(d));
            } catch (RuntimeException unreadable) { // an error event, or bytes cut mid-event: the rest is still the answer
                flags |= LogEntry.PARTIAL;
            }
        }
        if (!assembly.stopped() || decoder.error() != null) {
            flags |= LogEntry.PARTIAL;
        }
        // the record's usage, not the decoder's: the client's bytes may lack the usage event the gateway
        // asked for and withheld, and counting the text again for an estimate was a tenth of this work
        JsonObject whole = codec.encodeResponse(assembly.response(r.tokens() != null ? r.tokens() : decoder.usage()),
                r.requestedModel());
        return new Answer(whole, flags);
    }

    /** The first {@code max} bytes as text, never cutting a character in two. */
    private static String prefix(byte[] bytes, int max) {
        int end = Math.min(max, bytes.length);
        while (end > 0 && end < bytes.length && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
