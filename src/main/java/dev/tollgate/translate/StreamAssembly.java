package dev.tollgate.translate;

import dev.tollgate.usage.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream's events put back together into the one answer they make: the text, each tool call
 * with its arguments joined, the stop reason. What a client received as a stream, read as the
 * whole answer its format would have given.
 */
public final class StreamAssembly {
    private String id;
    private String model;
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, String[]> tools = new TreeMap<>();
    private Chat.Stop stop;

    public void accept(List<Chat.Event> events) {
        for (Chat.Event e : events) {
            if (e instanceof Chat.Started s) {
                id = id == null ? s.id() : id;
                model = model == null ? s.model() : model;
            } else if (e instanceof Chat.TextDelta t) {
                text.append(t.text());
            } else if (e instanceof Chat.ToolStarted t) {
                tools.put(t.index(), new String[] {t.id(), t.name(), ""});
            } else if (e instanceof Chat.ToolArguments a) {
                String[] call = tools.computeIfAbsent(a.index(), i -> new String[] {null, null, ""});
                call[2] += a.json();
            } else if (e instanceof Chat.Stopped s) {
                stop = s.reason();
            }
        }
    }

    /** Whether the stream said why it stopped; a cut stream did not. */
    public boolean stopped() {
        return stop != null;
    }

    /** The answer so far; a stream cut before its stop reason counts as ended. */
    public Chat.Response response(TokenUsage usage) {
        List<Chat.Part> parts = new ArrayList<>();
        if (!text.isEmpty()) {
            parts.add(new Chat.Text(text.toString()));
        }
        tools.values().forEach(t -> parts.add(new Chat.ToolCall(t[0], t[1], t[2])));
        return new Chat.Response(id, model, parts, stop != null ? stop : Chat.Stop.END, usage);
    }
}
