package dev.tollgate.translate;

import dev.tollgate.usage.ObservedStream;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonObject;
import java.util.List;

/**
 * A stream decoder whose usage, end, id and errors come from the same observer a same-format
 * stream of its format uses, so each format's stream is read for accounting in one place.
 */
abstract class ObservingDecoder implements ChatCodec.StreamDecoder {
    private final ObservedStream observer;

    ObservingDecoder(ObservedStream observer) {
        this.observer = observer;
    }

    @Override
    public final List<Chat.Event> decode(String data) {
        JsonObject event = observer.read(data);
        return event == null ? List.of() : events(event);
    }

    /** The canonical events one upstream event (already read for usage) stands for. */
    protected abstract List<Chat.Event> events(JsonObject event);

    @Override
    public boolean done() {
        return observer.done();
    }

    @Override
    public String error() {
        return observer.error().orElse(null);
    }

    @Override
    public String id() {
        return observer.responseId().orElse(null);
    }

    @Override
    public TokenUsage usage() {
        return observer.usage();
    }

    @Override
    public List<String> finishReasons() {
        return observer.finishReasons();
    }

    @Override
    public boolean usageReported() {
        return observer.quality() == UsageQuality.REPORTED;
    }
}
