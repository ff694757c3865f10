package dev.tollgate.dashboard;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A conversation as a transcript a person reads: its calls in order, each showing only what it
 * added (the turns after those of the call it continues) and its answer, numbered, with the call
 * it continues and a mark where a call is one of several continuing the same one (a regenerated
 * answer, an edited turn: a branch). At most {@link #MAX_CALLS} calls are read, each a lookup.
 */
public final class ConversationView {
    static final int MAX_CALLS = 200;

    /**
     * One call of the conversation.
     *
     * @param number   its place in the conversation, from 1
     * @param parent   the number of the call it continues, 0 for none
     * @param branch   one of several calls continuing the same one
     * @param turns    what it added, then its answer
     */
    public record Call(int number, String id, String ts, String model, int status, int parent, boolean branch,
                List<TranscriptView.Turn> turns) {
    }

    private ConversationView() {
    }

    /**
     * @param conversation what {@code /admin/conversations/{id}} answers
     * @param entries      a logged call whole by id, as {@code /admin/logs/{id}} answers
     */
    static List<Call> of(JsonObject conversation, Function<String, Optional<JsonObject>> entries) {
        List<JsonObject> calls = conversation.getJsonArray("turns").stream().limit(MAX_CALLS)
                .map(JsonValue::asJsonObject).toList();
        Map<String, Integer> numbers = new HashMap<>();
        Map<String, Integer> children = new HashMap<>();
        for (JsonObject c : calls) {
            numbers.put(c.getString("id"), numbers.size() + 1);
            parentOf(c).ifPresent(p -> children.merge(p, 1, Integer::sum));
        }
        Map<String, Integer> lengths = new HashMap<>(); // turns before the answer, by call
        List<Call> out = new ArrayList<>();
        for (JsonObject c : calls) {
            String id = c.getString("id");
            Optional<String> parent = parentOf(c);
            List<TranscriptView.Turn> turns = entries.apply(id)
                    .map(e -> TranscriptView.of(e.get("request"), e.get("response"))).orElse(List.of());
            int asked = turns.isEmpty() || !"answer".equals(turns.get(turns.size() - 1).role()) ? turns.size()
                    : turns.size() - 1;
            lengths.put(id, asked);
            int seen = parent.map(p -> lengths.getOrDefault(p, 0) + 1).orElse(0); // its turns and its answer
            List<TranscriptView.Turn> added = seen > 0 && seen <= asked ? turns.subList(seen, turns.size()) : turns;
            out.add(new Call(numbers.get(id), id, c.getString("ts"), c.isNull("model") ? "—" : c.getString("model"),
                    c.getInt("status"), parent.map(p -> numbers.getOrDefault(p, 0)).orElse(0),
                    parent.map(p -> children.getOrDefault(p, 0) > 1).orElse(false), List.copyOf(added)));
        }
        return out;
    }

    private static Optional<String> parentOf(JsonObject call) {
        return call.isNull("parent_id") ? Optional.empty() : Optional.of(call.getString("parent_id"));
    }
}
