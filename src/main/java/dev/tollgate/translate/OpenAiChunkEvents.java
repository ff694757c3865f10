package dev.tollgate.translate;

import dev.tollgate.translate.Chat.Event;
import dev.tollgate.usage.ObservedStream;
import jakarta.json.stream.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canonical events of an OpenAI chat stream's chunks, read in one pass of a JSON parser: the
 * start (the first chunk naming an id), reasoning and text deltas, tool calls and their arguments,
 * the stop reason; and the message of an {@code error} chunk.
 *
 * <p>Events come in the order of the chunk's meaning, not of its keys: the start first, then per
 * choice its reasoning, text and tool calls, then its stop.
 */
final class OpenAiChunkEvents implements EventReader {
    private static final Set<String> FUNCTION = Set.of("name", "arguments");
    private static final Set<String> ERROR = Set.of("message");

    private boolean started;
    private final List<Integer> seenTools = new ArrayList<>();
    private String error;

    @Override
    public String error() {
        return error;
    }

    /** An OpenAI stream ends with {@code [DONE]}, which is not JSON. */
    @Override
    public boolean done() {
        return false;
    }

    @Override
    public List<Event> read(JsonParser p) {
        if (!JsonEvents.startsObject(p)) {
            return List.of();
        }
        boolean named = false;
        String id = null;
        String model = null;
        List<Event> choices = new ArrayList<>();
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "id" -> {
                    named = true;
                    id = JsonEvents.string(p);
                }
                case "model" -> model = JsonEvents.string(p);
                case "choices" -> choices(p, choices);
                case "error" -> {
                    Map<String, String> e = JsonEvents.strings(p, ERROR);
                    if (e != null) {
                        error = e.getOrDefault("message", ObservedStream.UNNAMED_ERROR);
                    }
                }
                default -> JsonEvents.skip(p);
            }
        }
        if (!started && named) {
            started = true;
            choices.add(0, new Chat.Started(id, model));
        }
        return choices;
    }

    private void choices(JsonParser p, List<Event> out) {
        JsonParser.Event e = p.next();
        if (e != JsonParser.Event.START_ARRAY) {
            JsonEvents.skipStarted(p, e);
            return;
        }
        while ((e = p.next()) != JsonParser.Event.END_ARRAY) {
            if (e == JsonParser.Event.START_OBJECT) {
                choice(p, out);
            } else {
                JsonEvents.skipStarted(p, e);
            }
        }
    }

    private void choice(JsonParser p, List<Event> out) {
        Event stop = null;
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "delta" -> {
                    if (JsonEvents.startsObject(p)) {
                        delta(p, out);
                    }
                }
                case "finish_reason" -> {
                    String reason = JsonEvents.string(p);
                    stop = reason == null ? stop : new Chat.Stopped(OpenAiChat.stop(reason));
                }
                default -> JsonEvents.skip(p);
            }
        }
        if (stop != null) {
            out.add(stop);
        }
    }

    private void delta(JsonParser p, List<Event> out) {
        String reasoning = null;
        String text = null;
        List<Event> tools = new ArrayList<>(0);
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "reasoning_content" -> reasoning = JsonEvents.string(p);
                case "content" -> text = JsonEvents.string(p);
                case "tool_calls" -> toolCalls(p, tools);
                default -> JsonEvents.skip(p);
            }
        }
        if (reasoning != null && !reasoning.isEmpty()) {
            out.add(new Chat.ReasoningDelta(reasoning));
        }
        if (text != null && !text.isEmpty()) {
            out.add(new Chat.TextDelta(text));
        }
        out.addAll(tools);
    }

    private void toolCalls(JsonParser p, List<Event> out) {
        JsonParser.Event e = p.next();
        if (e == JsonParser.Event.VALUE_NULL) {
            return;
        }
        if (e != JsonParser.Event.START_ARRAY) {
            throw new TranslationException("'tool_calls' must be an array");
        }
        while ((e = p.next()) != JsonParser.Event.END_ARRAY) {
            if (e != JsonParser.Event.START_OBJECT) {
                throw new TranslationException("each of 'tool_calls' must be an object");
            }
            toolCall(p, out);
        }
    }

    private void toolCall(JsonParser p, List<Event> out) {
        int index = 0;
        String id = null;
        Map<String, String> function = Map.of();
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "index" -> index = JsonEvents.integer(p, 0);
                case "id" -> id = JsonEvents.string(p);
                case "function" -> {
                    Map<String, String> f = JsonEvents.strings(p, FUNCTION);
                    function = f != null ? f : Map.of();
                }
                default -> JsonEvents.skip(p);
            }
        }
        if (!seenTools.contains(index)) {
            seenTools.add(index);
            out.add(new Chat.ToolStarted(index, id != null ? id : "call_" + index, function.getOrDefault("name", "")));
        }
        String arguments = function.getOrDefault("arguments", "");
        if (!arguments.isEmpty()) {
            out.add(new Chat.ToolArguments(index, arguments));
        }
    }
}
