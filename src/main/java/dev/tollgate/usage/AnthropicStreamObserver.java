package dev.tollgate.usage;

import dev.tollgate.json.ErrorBodies;
import dev.tollgate.json.SseFrame;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.function.LongSupplier;

/**
 * Reads an Anthropic Messages stream as it passes, untouched: the id from {@code message_start},
 * usage field by field from {@code message_start} and every {@code message_delta} (latest wins),
 * the text for an estimate, {@code message_stop} as the proper end and {@code error} events.
 */
public final class AnthropicStreamObserver extends ObservedStream {
    private final AnthropicUsage usage = new AnthropicUsage();
    /** The thinking text, counted for the reasoning part Anthropic does not report. */
    private final StreamText thinking = new StreamText();
    private boolean delta;

    public AnthropicStreamObserver(LongSupplier estimatedPrompt) {
        super(estimatedPrompt);
    }

    @Override
    public JsonObject read(String data) {
        JsonObject event = parse(data);
        if (event == null) {
            return null;
        }
        switch (event.getString("type", "")) {
            case "message_start" -> {
                if (event.get("message") instanceof JsonObject m) {
                    if (m.get("id") instanceof JsonString s) {
                        id = s.getString();
                    }
                    if (m.get("usage") instanceof JsonObject u) {
                        usage.merge(u);
                    }
                }
            }
            case "content_block_delta" -> {
                if (event.get("delta") instanceof JsonObject d) {
                    text.append(d.getString("text", d.getString("partial_json", d.getString("thinking", ""))));
                    if (d.get("thinking") instanceof JsonString t) {
                        thinking.append(t.getString());
                    }
                }
            }
            case "message_delta" -> {
                if (event.get("usage") instanceof JsonObject u) {
                    usage.merge(u);
                    delta = true;
                }
            }
            case "message_stop" -> done = true;
            case "error" -> error = event.get("error") instanceof JsonObject e
                    ? e.getString("message", UNNAMED_ERROR) : UNNAMED_ERROR;
            default -> {
                // ping, content_block_start/stop: nothing to count
            }
        }
        return event;
    }

    /**
     * The reported usage once the final counts came ({@code message_delta}); before that, the
     * input counts reported so far with the output counted from the text seen.
     */
    @Override
    public TokenUsage usage() {
        usage.thinking(thinking.tokens());
        if (delta) {
            return usage.tokens();
        }
        TokenUsage start = usage.seen() ? usage.tokens() : TokenUsage.of(estimatedPrompt.getAsLong(), 0);
        long output = Math.max(usage.output(), text.tokens());
        return new TokenUsage(start.prompt(), output, start.prompt() + output, start.cached(),
                Math.min(thinking.tokens(), output), start.cacheWrite5m(), start.cacheWrite1h());
    }

    @Override
    public UsageQuality quality() {
        return quality(delta);
    }

    @Override
    public byte[] errorEvent(String message, boolean timeout) {
        return event(message, timeout);
    }

    /** Anthropic's stream error event. */
    public static byte[] event(String message, boolean timeout) {
        return SseFrame.event("error", ErrorBodies.anthropic(timeout ? 504 : 502, message));
    }
}
