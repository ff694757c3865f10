package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.json.Jsons;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls grouped into conversations without help, measured against generated dialogs whose truth
 * is known (interleaved dialogs per key, the same openings from different callers, regenerated
 * answers, long idle gaps, tool calls), and each hard case on its own.
 */
class ConversationGroupingTest {
    private static final Duration IDLE = TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE;

    @TempDir
    Path dir;
    private Database db;
    private LogWrites writes;
    private final EntryBuilder builder = new EntryBuilder(new TollgateConfig.Logs(true, 1 << 20, 30, 1 << 26, List.of()));

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("t.db"), false);
        db.migrate();
        writes = new LogWrites(db, IDLE);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** One dialog as a client holds it: its messages so far, in OpenAI's format. */
    private static final class Dialog {
        final String key;
        final List<String> messages = new ArrayList<>();
        final String named;

        Dialog(String key, String named) {
            this.key = key;
            this.named = named;
        }
    }

    private static String user(String text) {
        return "{\"role\":\"user\",\"content\":" + Jsons.JSON.createValue(text) + "}";
    }

    private static String toolCall(String id, String city) {
        return "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"" + id + "\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"" + city + "\\\"}\"}}]}";
    }

    /**
     * Sends the dialog's messages plus {@code next} (none for a retry of the same request), logs the
     * call with {@code answer} (text, or a tool call when it starts with "tool:"), and keeps the
     * answer in the dialog unless told not to. Returns the call's id.
     */
    private String call(Dialog d, List<String> next, String answer, Instant at, boolean keep) throws Exception {
        d.messages.addAll(next);
        String body = "{\"model\":\"m\",\"messages\":[" + String.join(",", d.messages) + "]"
                + (d.named != null ? ",\"metadata\":{\"conversation_id\":\"" + d.named + "\"}" : "") + "}";
        String id = UUID.randomUUID().toString();
        boolean tool = answer.startsWith("tool:");
        String message = tool ? toolCall("call_" + id.substring(0, 8), answer.substring(5))
                : "{\"role\":\"assistant\",\"content\":" + Jsons.JSON.createValue(answer) + "}";
        String whole = "{\"id\":\"chatcmpl-" + id + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + (tool ? "tool_calls" : "stop")
                + "\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}";
        Transcript t = new Transcript(Optional.of(OpenAiChat.INSTANCE), 1 << 20);
        t.request(body.getBytes(StandardCharsets.UTF_8));
        t.whole(whole.getBytes(StandardCharsets.UTF_8));
        UsageRecord r = new UsageRecord(id, at, "/v1/chat/completions", false, "m", "m", "openai", "openai#1",
                Caller.of(KeyFingerprint.of(d.key)), 200, 10, null, TokenUsage.of(5, 3), UsageQuality.REPORTED, null, null,
                1, true, null);
        writes.write(List.of(builder.build(t, r)));
        if (keep) {
            d.messages.add(message);
        }
        return id;
    }

    private String conversationOf(String id) {
        return new Sql(db).query("SELECT conversation_id FROM log_entries WHERE id = ?", p -> p.setString(1, id),
                rs -> rs.getString(1)).get(0);
    }

    private String parentOf(String id) {
        return new Sql(db).query("SELECT parent_id FROM log_entries WHERE id = ?", p -> p.setString(1, id),
                rs -> rs.getString(1)).get(0);
    }

    @Test
    void aRegeneratedAnswerIsABranchOfTheSameConversation() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog d = new Dialog("sk-fork", null);
        String first = call(d, List.of(user("Plan a trip to Lisbon")), "Day 1: Alfama.", t, true);
        List<String> before = new ArrayList<>(d.messages);
        String second = call(d, List.of(user("Add a day for Sintra")), "Day 2: Sintra.", t.plusSeconds(30), false);
        d.messages.clear();
        d.messages.addAll(before);
        d.messages.add(user("Add a day for Sintra"));
        String again = call(d, List.of(), "Day 2: Sintra and Cascais.", t.plusSeconds(60), true);
        String onward = call(d, List.of(user("And food?")), "Pastéis.", t.plusSeconds(90), true);
        assertEquals(conversationOf(first), conversationOf(second));
        assertEquals(conversationOf(first), conversationOf(again));
        assertEquals(first, parentOf(second));
        assertEquals(first, parentOf(again), "both answers continue the first call: two branches");
        assertEquals(again, parentOf(onward), "and the dialog goes on from the branch it kept");
        JsonObject c = new LogReader(db).conversation(conversationOf(first)).orElseThrow();
        assertEquals(4, c.getJsonArray("turns").size());
        assertEquals(4, c.getJsonObject("totals").getInt("requests"));
    }

    @Test
    void theSameOpeningFromTwoCallersIsTwoConversations() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog a = new Dialog("sk-alice", null);
        Dialog b = new Dialog("sk-bob", null);
        String a1 = call(a, List.of(user("Hello")), "Hi! How can I help?", t, true);
        String b1 = call(b, List.of(user("Hello")), "Hi! How can I help?", t.plusSeconds(1), true);
        String a2 = call(a, List.of(user("Refund please")), "Sure.", t.plusSeconds(10), true);
        String b2 = call(b, List.of(user("Refund please")), "Sure.", t.plusSeconds(11), true);
        assertNotEquals(conversationOf(a1), conversationOf(b1));
        assertEquals(conversationOf(a1), conversationOf(a2));
        assertEquals(conversationOf(b1), conversationOf(b2));
    }

    @Test
    void interleavedConversationsOfOneCallerStayApart() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog x = new Dialog("sk-busy", null);
        Dialog y = new Dialog("sk-busy", null);
        String x1 = call(x, List.of(user("Write a haiku")), "Autumn moon rising.", t, true);
        String y1 = call(y, List.of(user("Summarise this report")), "It says sales grew.", t.plusSeconds(1), true);
        String x2 = call(x, List.of(user("Another")), "Frog leaps, water sounds.", t.plusSeconds(2), true);
        String y2 = call(y, List.of(user("Shorter")), "Sales grew.", t.plusSeconds(3), true);
        assertEquals(conversationOf(x1), conversationOf(x2));
        assertEquals(conversationOf(y1), conversationOf(y2));
        assertNotEquals(conversationOf(x1), conversationOf(y1));
    }

    @Test
    void aLongIdleGapStartsANewConversation() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog d = new Dialog("sk-idle", null);
        String first = call(d, List.of(user("Remind me of the plan")), "The plan is X.", t, true);
        String soon = call(d, List.of(user("And then?")), "Then Y.", t.plus(IDLE).minusSeconds(1), true);
        String late = call(d, List.of(user("Still there?")), "Yes.", t.plus(IDLE).plus(IDLE).plusSeconds(5), true);
        assertEquals(conversationOf(first), conversationOf(soon), "within the idle window of the last activity");
        assertNotEquals(conversationOf(first), conversationOf(late));
        assertNull(parentOf(late));
    }

    @Test
    void toolResultsContinueTheCallThatAskedForThem() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog d = new Dialog("sk-tools", null);
        String ask = call(d, List.of(user("Weather in Paris?")), "tool:Paris", t, true);
        String callId = d.messages.get(d.messages.size() - 1).replaceAll(".*\"id\":\"(call_[^\"]+)\".*", "$1");
        String result = "{\"role\":\"tool\",\"tool_call_id\":\"" + callId + "\",\"content\":\"18C, sunny\"}";
        String answer = call(d, List.of(result), "It is 18C and sunny.", t.plusSeconds(2), true);
        assertEquals(ask, parentOf(answer));
        assertEquals(conversationOf(ask), conversationOf(answer));
    }

    @Test
    void aNamedConversationWinsOverTheGrouping() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Dialog d = new Dialog("sk-named", "ticket-4711");
        String first = call(d, List.of(user("Hello")), "Hi.", t, true);
        Dialog other = new Dialog("sk-named", "ticket-4711");
        String unrelated = call(other, List.of(user("Different topic")), "Ok.", t.plusSeconds(5), true);
        assertEquals("ticket-4711", conversationOf(first));
        assertEquals("ticket-4711", conversationOf(unrelated), "the client's word, whatever the text");
        assertNull(parentOf(unrelated));
        String next = call(d, List.of(user("More")), "Sure.", t.plusSeconds(9), true);
        assertEquals(first, parentOf(next), "within a named conversation the branches are still found");
    }

    @Test
    void onlyANameFitForAHeaderNamesAConversation() {
        assertEquals("ticket-4711", EntryBuilder.namedConversation("ticket-4711", null));
        assertEquals("x".repeat(128), EntryBuilder.namedConversation("x".repeat(128), null));
        for (String unfit : new String[] {"", "x".repeat(129), "two words", "line\r\nbreak", "caf\u00e9", "tab\t"}) {
            assertNull(EntryBuilder.namedConversation(unfit, null), unfit);
        }
        JsonObject body = Jsons.JSON.createObjectBuilder().add("metadata", Jsons.JSON.createObjectBuilder()
                .add("session_id", "s-1")).build();
        assertEquals("s-1", EntryBuilder.namedConversation(null, body), "the body's metadata when no header names one");
        assertEquals("h", EntryBuilder.namedConversation("h", body), "the header first");
    }

    /** One call as the gateway makes it: announced before its answer goes ... */
    private record Call(String id, Transcript transcript, Caller caller, Instant at) {
        String named() {
            return transcript.conversation();
        }
    }

    private static Call announce(LogCapture capture, String key, List<String> messages, Instant at, String header) {
        String id = UUID.randomUUID().toString();
        String body = "{\"model\":\"m\",\"messages\":[" + String.join(",", messages) + "]}";
        Transcript t = capture.open(Optional.of(OpenAiChat.INSTANCE));
        t.conversationHint(header);
        t.request(body.getBytes(StandardCharsets.UTF_8));
        Caller caller = Caller.of(KeyFingerprint.of(key));
        capture.announce(t, id, Jsons.JSON.createReader(new StringReader(body)).readObject(), caller, at);
        return new Call(id, t, caller, at);
    }

    /** ... then answered, and handed to the log writer with its record. */
    private static void answer(LogCapture capture, Call call, String answer) {
        call.transcript().whole(("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{"
                + "\"index\":0,\"message\":" + assistant(answer) + ",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":3,\"total_tokens\":8}}").getBytes(StandardCharsets.UTF_8));
        capture.recorded(call.transcript(), new UsageRecord(call.id(), call.at(), "/v1/chat/completions", false, "m", "m",
                "openai", "openai#1", call.caller(), 200, 10, null, TokenUsage.of(5, 3), UsageQuality.REPORTED, null, null,
                1, true, null));
    }

    private static String assistant(String text) {
        return "{\"role\":\"assistant\",\"content\":" + Jsons.JSON.createValue(text) + "}";
    }

    private static void awaitWritten(LogCapture capture, long calls) throws InterruptedException {
        for (int i = 0; i < 500 && capture.written() < calls; i++) {
            Thread.sleep(20);
        }
        assertEquals(calls, capture.written());
    }

    /**
     * The conversation an answer names: a new call's own id; for a follow-up sent before the call it
     * continues was logged, its own id too, which the log resolves to the conversation the writer
     * found (in the admin API, and when a client sends the name back); once logged, the conversation
     * a follow-up continues.
     */
    @Test
    void anAnswerNamesItsConversationAndThatNameAlwaysLeadsThere() throws Exception {
        Instant t = Instant.now();
        try (LogCapture capture = LogCapture.start(new TollgateConfig.Logs(true, 1 << 20, 30, 1 << 26, List.of()), db)) {
            List<String> turns = new ArrayList<>(List.of(user("Plan a trip")));
            Call one = announce(capture, "sk-header", turns, t, null);
            assertEquals(one.id(), one.named(), "a new conversation is named after its first call");
            turns.addAll(List.of(assistant("Day 1."), user("And day 2?")));
            Call early = announce(capture, "sk-header", turns, t.plusSeconds(5), null); // before the first is logged
            assertEquals(early.id(), early.named());
            answer(capture, one, "Day 1.");
            answer(capture, early, "Day 2.");
            awaitWritten(capture, 2);
            assertEquals(one.id(), conversationOf(early.id()), "the writer found the conversation all the same");
            assertEquals(one.id(), new LogReader(db).conversation(early.named()).orElseThrow().getString("id"));

            turns.addAll(List.of(assistant("Day 2."), user("And day 3?")));
            Call next = announce(capture, "sk-header", turns, t.plusSeconds(9), null);
            assertEquals(one.id(), next.named(), "once logged, a follow-up names the conversation it continues");
            Call echoed = announce(capture, "sk-header", List.of(user("Unrelated")), t.plusSeconds(12), early.named());
            assertEquals(one.id(), echoed.named(), "a name an answer gave, sent back, is the conversation it stood for");
            Call other = announce(capture, "sk-other", turns, t.plusSeconds(15), null);
            assertEquals(other.id(), other.named(), "another caller's same words are another conversation");
            answer(capture, next, "Day 3.");
            answer(capture, echoed, "Ok.");
            awaitWritten(capture, 4);
            assertEquals(one.id(), conversationOf(next.id()));
            assertEquals(one.id(), conversationOf(echoed.id()), "and the log writes it there too");
        }
    }

    /**
     * A generated corpus: 40 callers, each holding several dialogs at once, of 1 to 12 turns, with
     * regenerated answers, tool calls, openings shared across callers and gaps longer than the idle
     * window; grouping precision and recall over pairs of calls, both at least 99%.
     */
    @Test
    void groupingIsPreciseAndCompleteOnAGeneratedCorpus() throws Exception {
        Random random = new Random(7);
        Map<String, Integer> truth = new HashMap<>();
        Instant clock = Instant.parse("2026-12-01T08:00:00Z");
        int conversations = 0;
        String[] openings = {"Hello", "Hi there", "Can you help me?", "Good morning"};
        for (int caller = 0; caller < 40; caller++) {
            String key = "sk-caller-" + caller;
            List<Dialog> open = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            List<Integer> left = new ArrayList<>();
            List<Instant> last = new ArrayList<>();
            for (int i = 0; i < 3 + random.nextInt(4); i++) {
                open.add(new Dialog(key, null));
                ids.add(conversations++);
                left.add(1 + random.nextInt(12));
                last.add(clock);
            }
            while (!open.isEmpty()) {
                int i = random.nextInt(open.size());
                Dialog d = open.get(i);
                clock = clock.plusSeconds(5 + random.nextInt(60));
                boolean first = d.messages.isEmpty();
                if (!first && random.nextInt(40) == 0) { // now and then a long pause
                    clock = clock.plus(IDLE).plusSeconds(60);
                }
                if (!first && Duration.between(last.get(i), clock).compareTo(IDLE) > 0) { // picked up as a new one
                    ids.set(i, conversations++);
                }
                last.set(i, clock);
                String said = first && random.nextInt(3) == 0 ? openings[random.nextInt(openings.length)]
                        : "message " + random.nextInt(1_000_000) + " about " + random.nextInt(1000);
                String answer = random.nextInt(8) == 0 ? "tool:City" + random.nextInt(100)
                        : "answer " + random.nextInt(1_000_000);
                if (!first && random.nextInt(10) == 0) { // regenerate: the same request, another answer, kept
                    List<String> before = new ArrayList<>(d.messages);
                    truth.put(call(d, List.of(user(said)), "discarded " + random.nextInt(1000), clock, false), ids.get(i));
                    d.messages.clear();
                    d.messages.addAll(before);
                }
                List<String> next = new ArrayList<>();
                if (!d.messages.isEmpty() && d.messages.get(d.messages.size() - 1).contains("tool_calls")) {
                    String asked = d.messages.get(d.messages.size() - 1);
                    next.add("{\"role\":\"tool\",\"tool_call_id\":\"" + asked.replaceAll(".*\"id\":\"(call_[^\"]+)\".*", "$1")
                            + "\",\"content\":\"sunny\"}");
                } else {
                    next.add(user(said));
                }
                truth.put(call(d, next, answer, clock, true), ids.get(i));
                left.set(i, left.get(i) - 1);
                if (left.get(i) == 0) {
                    open.remove(i);
                    ids.remove(i);
                    left.remove(i);
                    last.remove(i);
                }
            }
        }
        Map<String, String> predicted = new HashMap<>();
        new Sql(db).query("SELECT id, conversation_id FROM log_entries", p -> { }, rs -> predicted.put(rs.getString(1),
                rs.getString(2)));
        long[] pairs = pairs(truth, predicted);
        double precision = (double) pairs[0] / pairs[1];
        double recall = (double) pairs[0] / pairs[2];
        System.out.printf("conversation grouping on %,d calls in %,d conversations: precision %.4f, recall %.4f%n",
                truth.size(), conversations, precision, recall);
        assertTrue(precision >= 0.99, "precision " + precision);
        assertTrue(recall >= 0.99, "recall " + recall);
    }

    /** Pairs of calls grouped together in both, in the prediction, and in the truth. */
    private static long[] pairs(Map<String, Integer> truth, Map<String, String> predicted) {
        Map<String, Long> both = new HashMap<>();
        Map<String, Long> byPrediction = new HashMap<>();
        Map<Integer, Long> byTruth = new HashMap<>();
        truth.forEach((id, t) -> {
            String p = predicted.get(id);
            both.merge(t + "|" + p, 1L, Long::sum);
            byPrediction.merge(p, 1L, Long::sum);
            byTruth.merge(t, 1L, Long::sum);
        });
        return new long[] {choose2(both.values()), choose2(byPrediction.values()), choose2(byTruth.values())};
    }

    private static long choose2(Collection<Long> sizes) {
        return sizes.stream().mapToLong(n -> n * (n - 1) / 2).sum();
    }
}
