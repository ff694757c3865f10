package dev.tollgate.translate;

import dev.tollgate.translate.Chat.Event;
import dev.tollgate.translate.Chat.Message;
import dev.tollgate.translate.Chat.Part;
import dev.tollgate.translate.Chat.Reasoning;
import dev.tollgate.translate.Chat.Role;
import dev.tollgate.translate.Chat.ToolCall;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The signed reasoning that preceded each tool call the gateway translated, kept for a while, so
 * that a client which sends back only the call (most chat clients rebuild a streamed message from
 * {@code content} and {@code tool_calls} alone, dropping {@code thinking_blocks}) still gives the
 * provider its own thinking block in the next turn, which Claude requires with tools. Keyed by the
 * caller and the call's id, so no caller ever receives another's reasoning; bounded in entries
 * and characters, the least recently used let go first. Per instance: a fleet's other instances
 * do not see it, and there the client's own {@code thinking_blocks} are what count.
 */
public final class ReasoningMemory {
    private final int maxEntries;
    private final long maxChars;
    private final LinkedHashMap<Key, List<Reasoning>> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long chars;

    private record Key(String caller, String callId) {
    }

    public ReasoningMemory(int maxEntries, long maxChars) {
        this.maxEntries = maxEntries;
        this.maxChars = maxChars;
    }

    /** Remembers, for each tool call of a whole answer, the signed reasoning before it. */
    public void remember(String caller, List<Part> content) {
        List<Reasoning> before = new ArrayList<>();
        for (Part p : content) {
            if (p instanceof Reasoning r && r.origin() != null) {
                before.add(r);
            } else if (p instanceof ToolCall c && !before.isEmpty()) {
                put(new Key(caller, c.id()), List.copyOf(before));
            }
        }
    }

    /** What remembers a stream's reasoning as its events pass (see {@link #remember}). */
    public Consumer<List<Event>> listener(String caller) {
        StringBuilder text = new StringBuilder();
        List<Reasoning> before = new ArrayList<>();
        return events -> {
            for (Event e : events) {
                if (e instanceof Chat.ReasoningDelta d && text.length() < maxChars) {
                    text.append(d.text());
                } else if (e instanceof Chat.ReasoningSigned s) {
                    before.add(new Reasoning(text.toString(), s.signature(), s.redacted(), s.origin()));
                    text.setLength(0);
                } else if (e instanceof Chat.ToolStarted t && !before.isEmpty()) {
                    put(new Key(caller, t.id()), List.copyOf(before));
                }
            }
        };
    }

    /**
     * The request with the remembered reasoning put back at the head of each assistant turn that
     * has tool calls and came back without any signed reasoning of its own.
     */
    public Chat.Request restore(String caller, Chat.Request request) {
        List<Message> messages = new ArrayList<>(request.messages().size());
        boolean changed = false;
        for (Message m : request.messages()) {
            List<Reasoning> found = m.role() == Role.ASSISTANT && m.parts().stream()
                    .noneMatch(p -> p instanceof Reasoning r && r.origin() != null) ? recalled(caller, m) : List.of();
            if (found.isEmpty()) {
                messages.add(m);
                continue;
            }
            List<Part> parts = new ArrayList<>(found);
            m.parts().stream().filter(p -> !(p instanceof Reasoning)).forEach(parts::add);
            messages.add(new Message(m.role(), parts));
            changed = true;
        }
        return changed ? request.withMessages(messages) : request;
    }

    private synchronized List<Reasoning> recalled(String caller, Message m) {
        for (Part p : m.parts()) {
            List<Reasoning> found = p instanceof ToolCall c ? entries.get(new Key(caller, c.id())) : null;
            if (found != null) {
                return found;
            }
        }
        return List.of();
    }

    private synchronized void put(Key key, List<Reasoning> blocks) {
        long size = size(blocks);
        if (size > maxChars / 4) {
            return; // one conversation's thinking may not crowd out everyone else's
        }
        List<Reasoning> old = entries.put(key, blocks);
        chars += size - (old == null ? 0 : size(old));
        Iterator<Map.Entry<Key, List<Reasoning>>> oldest = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || chars > maxChars) && oldest.hasNext()) {
            chars -= size(oldest.next().getValue());
            oldest.remove();
        }
    }

    /** Entries held now. */
    public synchronized int size() {
        return entries.size();
    }

    private static long size(List<Reasoning> blocks) {
        long n = 0;
        for (Reasoning r : blocks) {
            n += r.text().length() + r.signature().length() + 64;
        }
        return n;
    }
}
