package dev.tollgate.translate;

import dev.tollgate.translate.Chat.Event;
import dev.tollgate.translate.Chat.Origin;
import dev.tollgate.usage.ObservedStream;
import jakarta.json.stream.JsonParser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canonical events of an Anthropic Messages stream's events, read in one pass of a JSON parser:
 * the start, text, thinking and its signatures, tool calls (numbered in the order they start, as
 * the canonical model counts them) and their arguments, the stop reason; its error and its end.
 * What an event means is decided by its {@code type} once all its fields are read, wherever the
 * type stands among them.
 */
final class AnthropicEvents implements EventReader {
    private static final Set<String> MESSAGE = Set.of("id", "model");
    private static final Set<String> BLOCK = Set.of("type", "id", "name", "data");
    private static final Set<String> DELTA = Set.of("type", "text", "thinking", "signature", "partial_json", "stop_reason");
    private static final Set<String> ERROR = Set.of("message");

    private final Map<Integer, Integer> toolOfBlock = new HashMap<>();
    private String error;
    private boolean done;

    @Override
    public String error() {
        return error;
    }

    @Override
    public boolean done() {
        return done;
    }

    /** One event's fields that carry meaning; a field absent or of another type is null. */
    private record Fields(String type, int index, Map<String, String> message, Map<String, String> block,
                          Map<String, String> delta, Map<String, String> error) {
    }

    @Override
    public List<Event> read(JsonParser p) {
        if (!JsonEvents.startsObject(p)) {
            return List.of();
        }
        String type = null;
        int index = 0;
        Map<String, String> message = null;
        Map<String, String> block = null;
        Map<String, String> delta = null;
        Map<String, String> failure = null;
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "type" -> type = JsonEvents.string(p);
                case "index" -> index = JsonEvents.integer(p, 0);
                case "message" -> message = JsonEvents.strings(p, MESSAGE);
                case "content_block" -> block = JsonEvents.strings(p, BLOCK);
                case "delta" -> delta = JsonEvents.strings(p, DELTA);
                case "error" -> failure = JsonEvents.strings(p, ERROR);
                default -> JsonEvents.skip(p);
            }
        }
        return events(new Fields(type == null ? "" : type, index, message, block, delta, failure));
    }

    private List<Event> events(Fields f) {
        switch (f.type()) {
            case "message_start" -> {
                Map<String, String> m = f.message() != null ? f.message() : Map.of();
                return List.of(new Chat.Started(m.get("id"), m.get("model")));
            }
            case "content_block_start" -> {
                return blockStarted(f);
            }
            case "content_block_delta" -> {
                return delta(f);
            }
            case "message_delta" -> {
                String reason = f.delta() != null ? f.delta().get("stop_reason") : null;
                return reason == null ? List.of() : List.of(new Chat.Stopped(AnthropicMessages.stop(reason)));
            }
            case "message_stop" -> done = true;
            case "error" -> error = f.error() != null
                    ? f.error().getOrDefault("message", ObservedStream.UNNAMED_ERROR) : ObservedStream.UNNAMED_ERROR;
            default -> {
                // ping, content_block_stop: nothing to say
            }
        }
        return List.of();
    }

    private List<Event> blockStarted(Fields f) {
        Map<String, String> b = f.block();
        if (b == null) {
            return List.of();
        }
        String type = b.getOrDefault("type", "");
        if (type.equals("tool_use")) {
            int tool = toolOfBlock.size();
            toolOfBlock.put(f.index(), tool);
            return List.of(new Chat.ToolStarted(tool, b.getOrDefault("id", ""), b.getOrDefault("name", "")));
        }
        if (type.equals("redacted_thinking")) {
            return List.of(new Chat.ReasoningSigned(b.getOrDefault("data", ""), true, Origin.ANTHROPIC));
        }
        return List.of();
    }

    private List<Event> delta(Fields f) {
        Map<String, String> d = f.delta() != null ? f.delta() : Map.of();
        switch (d.getOrDefault("type", "")) {
            case "text_delta" -> {
                return List.of(new Chat.TextDelta(d.getOrDefault("text", "")));
            }
            case "thinking_delta" -> {
                return List.of(new Chat.ReasoningDelta(d.getOrDefault("thinking", "")));
            }
            case "signature_delta" -> {
                return List.of(new Chat.ReasoningSigned(d.getOrDefault("signature", ""), false, Origin.ANTHROPIC));
            }
            case "input_json_delta" -> {
                Integer tool = toolOfBlock.get(f.index());
                return tool == null ? List.of() : List.of(new Chat.ToolArguments(tool, d.getOrDefault("partial_json", "")));
            }
            default -> {
                return List.of();
            }
        }
    }
}
