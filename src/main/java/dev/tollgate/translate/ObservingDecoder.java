package dev.tollgate.translate;

import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;

/**
 * A stream decoder whose usage, end, id and errors come from the same observer a same-format
 * stream of its format uses, so each format's stream is read for accounting in one place.
 */
abstract class ObservingDecoder implements ChatCodec.StreamDecoder {
    private final StreamObserver observer;

    ObservingDecoder(StreamObserver observer) {
        this.observer = observer;
    }

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
    public boolean usageReported() {
        return observer.quality() == UsageQuality.REPORTED;
    }
}
