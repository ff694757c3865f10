package dev.tollgate.translate;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.usage.TokenUsage;
import java.util.List;

/**
 * A stream read back for the request log: each event's canonical events read straight from its
 * text by the format's {@link EventReader}, no tree built and nothing counted. Building every
 * event's tree, then reading it for usage the log does not use, was most of what logging a stream
 * cost; the log takes the call's usage from its record.
 */
final class TranscriptDecoder implements ChatCodec.StreamDecoder {
    private final EventReader reader;
    private boolean done;
    private String id;

    TranscriptDecoder(EventReader reader) {
        this.reader = reader;
    }

    @Override
    public List<Chat.Event> decode(String data) {
        if (data.equals("[DONE]")) {
            done = true;
            return List.of();
        }
        List<Chat.Event> events;
        try {
            events = BoundedJson.read(data, BoundedJson.Bounds.UPSTREAM, reader::read);
        } catch (BoundedJson.Refused notJson) { // as the stream observers have it: what is not JSON is no event
            return List.of();
        }
        if (id == null && !events.isEmpty() && events.get(0) instanceof Chat.Started s) {
            id = s.id();
        }
        return events;
    }

    @Override
    public boolean done() {
        return done || reader.done();
    }

    @Override
    public String error() {
        return reader.error();
    }

    @Override
    public String id() {
        return id;
    }

    /** Nothing counted: the request log takes the call's usage from its record. */
    @Override
    public TokenUsage usage() {
        return TokenUsage.NONE;
    }

    @Override
    public boolean usageReported() {
        return false;
    }
}
