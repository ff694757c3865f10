package dev.tollgate.usage;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.SseFrame;
import jakarta.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * Reads a Responses API stream as it passes, untouched: the id from {@code response.created},
 * text deltas for an estimate, the usage of {@code response.completed} (or {@code .incomplete})
 * as the proper end, and {@code response.failed} / {@code error} events.
 */
public final class ResponsesStreamObserver extends ObservedStream {
    private TokenUsage usage;

    public ResponsesStreamObserver(LongSupplier estimatedPrompt) {
        super(estimatedPrompt);
    }

    @Override
    public JsonObject read(String data) {
        JsonObject e = parse(data);
        if (e == null) {
            return null;
        }
        String type = e.getString("type", "");
        switch (type) {
            case "response.created" -> {
                if (e.get("response") instanceof JsonObject r) {
                    id = r.getString("id", null);
                }
            }
            case "response.output_text.delta", "response.function_call_arguments.delta" ->
                    text.append(e.getString("delta", ""));
            case "response.completed", "response.incomplete" -> {
                done = true;
                if (e.get("response") instanceof JsonObject r) {
                    ResponsesUsage.of(r).ifPresent(u -> usage = u);
                }
            }
            case "response.failed", "error" -> {
                JsonObject r = e.get("response") instanceof JsonObject o ? o : e;
                error = r.get("error") instanceof JsonObject err ? err.getString("message", UNNAMED_ERROR)
                        : e.getString("message", UNNAMED_ERROR);
            }
            default -> {
                // in_progress, item and part boundaries: nothing to count
            }
        }
        return e;
    }

    @Override
    public TokenUsage usage() {
        return usage != null ? usage : estimate();
    }

    @Override
    public UsageQuality quality() {
        return quality(usage != null);
    }

    @Override
    public byte[] errorEvent(String message, boolean timeout) {
        return event(message, timeout ? "upstream_timeout" : "upstream_error");
    }

    /** The Responses API's stream error event. */
    public static byte[] event(String message, String code) {
        JsonObject body = JSON.createObjectBuilder().add("type", "error").add("code", code).add("message", message)
                .add("sequence_number", 0).build();
        return SseFrame.event("error", body);
    }
}
