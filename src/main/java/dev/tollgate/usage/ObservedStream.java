package dev.tollgate.usage;

import dev.tollgate.json.BoundedJson;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What every stream observer keeps whatever the format: the text seen (for an estimate when
 * usage never comes), whether the proper end arrived, the response id, an in-stream error.
 */
public abstract class ObservedStream implements StreamObserver {
    /** An in-stream error's message when the upstream gave none. */
    public static final String UNNAMED_ERROR = "upstream error in stream";

    protected final LongSupplier estimatedPrompt;
    protected final StreamText text = new StreamText();
    protected boolean done;
    protected String id;
    protected String error;
    private final List<String> finishReasons = new ArrayList<>(1);

    ObservedStream(LongSupplier estimatedPrompt) {
        this.estimatedPrompt = estimatedPrompt;
    }

    /** Same-format streams pass every event on untouched; only reading them counts. */
    @Override
    public byte[] onEvent(byte[] raw, String data) {
        if (data != null) {
            read(data);
        }
        return raw;
    }

    /** One event's data as JSON, its finish reasons noted; null when it is not JSON. */
    protected JsonObject parse(String data) {
        JsonObject event = BoundedJson.tryObject(data, BoundedJson.Bounds.UPSTREAM).orElse(null);
        if (event != null) {
            FinishReasons.collect(event, finishReasons);
        }
        return event;
    }

    @Override
    public List<String> finishReasons() {
        return List.copyOf(finishReasons);
    }

    /**
     * Reads one event's data into what is kept; returns it parsed (for translators, which pass
     * nothing on as is), or null when it is not JSON.
     */
    public abstract JsonObject read(String data);

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public Optional<String> responseId() {
        return Optional.ofNullable(id);
    }

    @Override
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** Reported when the final counts came; else estimated after a proper end, partial before it. */
    protected UsageQuality quality(boolean reported) {
        if (reported) {
            return UsageQuality.REPORTED;
        }
        return done ? UsageQuality.ESTIMATED : UsageQuality.PARTIAL;
    }

    /** The prompt estimate and the text seen, counted: what a stream without usage is recorded with. */
    protected TokenUsage estimate() {
        return TokenUsage.of(estimatedPrompt.getAsLong(), text.tokens());
    }
}
