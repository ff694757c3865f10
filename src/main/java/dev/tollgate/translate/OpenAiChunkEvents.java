package dev.tollgate.translate;

import dev.tollgate.translate.Chat.Event;
import jakarta.json.stream.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical events of one OpenAI chat stream's chunks, read in one pass of a JSON parser: the
 * start (the first chunk naming an id), reasoning and text deltas, tool calls and their arguments,
 * the stop reason; and the message of an {@code error} chunk. The one reading of a chunk's meaning,
 * whether the chunk was parsed already (a translated stream, which also counts its usage) or is
 * text the request log reads back, where nothing but these events is built.
 *
 * <p>Events come in the order of the chunk's meaning, not of its keys: the start first, then per
 * choice its reasoning, text and tool calls, then its stop.
 */
final class OpenAiChunkEvents {
    private boolean started;
    private final List<Integer> seenTools = new ArrayList<>();
    private String error;

    /** The message of the last {@code error} chunk read; null when none came. */
    String error() {
        return error;
    }

    /** The events of the chunk {@code p} stands before; none when it is not an object. */
    List<Event> read(JsonParser p) {
        JsonParser.Event first = p.next();
        if (first != JsonParser.Event.START_OBJECT) {
            skipStarted(p, first);
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
                    id = string(p);
                }
                case "model" -> model = string(p);
                case "choices" -> choices(p, choices);
                case "error" -> error(p);
                default -> skip(p);
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
            skipStarted(p, e);
            return;
        }
        while ((e = p.next()) != JsonParser.Event.END_ARRAY) {
            if (e == JsonParser.Event.START_OBJECT) {
                choice(p, out);
            } else {
                skipStarted(p, e);
            }
        }
    }

    private void choice(JsonParser p, List<Event> out) {
        Event stop = null;
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "delta" -> {
                    JsonParser.Event e = p.next();
                    if (e == JsonParser.Event.START_OBJECT) {
                        delta(p, out);
                    } else {
                        skipStarted(p, e);
                    }
                }
                case "finish_reason" -> {
                    String reason = string(p);
                    stop = reason == null ? stop : new Chat.Stopped(OpenAiChat.stop(reason));
                }
                default -> skip(p);
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
                case "reasoning_content" -> reasoning = string(p);
                case "content" -> text = string(p);
                case "tool_calls" -> toolCalls(p, tools);
                default -> skip(p);
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
        String name = "";
        String arguments = "";
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "index" -> {
                    JsonParser.Event e = p.next();
                    if (e == JsonParser.Event.VALUE_NUMBER) {
                        index = p.getInt();
                    } else {
                        skipStarted(p, e);
                    }
                }
                case "id" -> id = string(p);
                case "function" -> {
                    JsonParser.Event e = p.next();
                    if (e == JsonParser.Event.START_OBJECT) {
                        String[] f = function(p);
                        name = f[0];
                        arguments = f[1];
                    } else {
                        skipStarted(p, e);
                    }
                }
                default -> skip(p);
            }
        }
        if (!seenTools.contains(index)) {
            seenTools.add(index);
            out.add(new Chat.ToolStarted(index, id != null ? id : "call_" + index, name));
        }
        if (!arguments.isEmpty()) {
            out.add(new Chat.ToolArguments(index, arguments));
        }
    }

    /** A function's name and arguments, each empty when absent or not a string. */
    private static String[] function(JsonParser p) {
        String[] f = {"", ""};
        while (p.next() == JsonParser.Event.KEY_NAME) {
            switch (p.getString()) {
                case "name" -> f[0] = orEmpty(string(p));
                case "arguments" -> f[1] = orEmpty(string(p));
                default -> skip(p);
            }
        }
        return f;
    }

    private void error(JsonParser p) {
        JsonParser.Event e = p.next();
        if (e != JsonParser.Event.START_OBJECT) {
            skipStarted(p, e);
            return;
        }
        String message = null;
        while (p.next() == JsonParser.Event.KEY_NAME) {
            if (p.getString().equals("message")) {
                message = string(p);
            } else {
                skip(p);
            }
        }
        error = message != null ? message : "upstream error in stream";
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The value after a key, when it is a string; null (and the value skipped) when it is anything else. */
    private static String string(JsonParser p) {
        JsonParser.Event e = p.next();
        if (e == JsonParser.Event.VALUE_STRING) {
            return p.getString();
        }
        skipStarted(p, e);
        return null;
    }

    /** Skips the value after a key. */
    private static void skip(JsonParser p) {
        skipStarted(p, p.next());
    }

    /** Skips the rest of a value whose first event {@code e} was just read (nothing to do for a scalar). */
    private static void skipStarted(JsonParser p, JsonParser.Event e) {
        if (e == JsonParser.Event.START_OBJECT) {
            p.skipObject();
        } else if (e == JsonParser.Event.START_ARRAY) {
            p.skipArray();
        }
    }
}
