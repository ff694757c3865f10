package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.config.TollgateConfig.Redaction;
import dev.tollgate.json.Jsons;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.usage.StatusRange;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log on a real SQLite file: what goes in comes back equal, each message is stored
 * once, every search form finds what it should and not its near-miss, retention removes whole
 * days and what nothing refers to, redaction and the body cap apply before anything is written.
 */
class LogStoreTest {
    @TempDir
    Path dir;
    private Database db;
    private LogWrites writes;
    private LogSearch search;
    private LogReader reader;
    private TollgateConfig.Logs settings = new TollgateConfig.Logs(true, 64 * 1024, 30, 1 << 20, List.of());

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("t.db"), false);
        db.migrate();
        writes = new LogWrites(db, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE);
        search = new LogSearch(db);
        reader = new LogReader(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static JsonObject json(String text) {
        return Jsons.JSON.createReader(new StringReader(text)).readObject();
    }

    private static String chat(String... turns) {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < turns.length; i++) {
            m.append(i == 0 ? "" : ",").append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":").append(Jsons.JSON.createValue(turns[i])).append('}');
        }
        return "{\"model\":\"m\",\"messages\":[" + m + "],\"temperature\":0.5}";
    }

    private static String answer(String text) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":" + Jsons.JSON.createValue(text) + "},\"finish_reason\":"
                + "\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";
    }

    private static UsageRecord record(String id, Instant ts, boolean stream) {
        return new UsageRecord(id, ts, "/v1/chat/completions", stream, "m", "m-upstream", "openai", "openai#1",
                new Caller(KeyFingerprint.of("sk-client-secret-1"), "key-1", "alice"), 200, 12, null,
                TokenUsage.of(3, 2), UsageQuality.REPORTED, null, null, 1, true, null);
    }

    private String log(String request, String answer, Instant ts) throws Exception {
        String id = UUID.randomUUID().toString();
        Transcript t = new Transcript(Optional.of(OpenAiChat.INSTANCE), (int) settings.maxBodyBytes());
        t.request(request.getBytes(StandardCharsets.UTF_8));
        t.whole(answer.getBytes(StandardCharsets.UTF_8));
        writes.write(List.of(new EntryBuilder(settings).build(t, record(id, ts, false))));
        return id;
    }

    private List<String> find(String q) {
        return search.search(Optional.of(SearchQuery.parse(q)), LogSearch.Filters.NONE, false, 50, Optional.empty())
                .hits().stream().map(LogSearch.Hit::id).sorted().toList();
    }

    private static List<String> sorted(String... ids) {
        return List.of(ids).stream().sorted().toList();
    }

    @Test
    void everySearchFormFindsItsMatchAndNotItsNearMiss() throws Exception {
        Instant now = Instant.now();
        String a = log(chat("Our refund policy allows returns within thirty days"), answer("Noted."), now);
        String b = log(chat("The policy on refunds is strict"), answer("Understood."), now);
        String c = log(chat("A timeout happened, then a retry worked"), answer("Good."), now);
        String d = log(chat("A timeout came and one two three four five six seven eight nine ten then retry"),
                answer("Fine."), now);
        String e = log(chat("Machine learning is fun"), answer("Yes."), now);
        String f = log(chat("The AI is everywhere"), answer("True."), now);

        assertEquals(List.of(a), find("refund"), "a word: refunds is another word");
        assertEquals(sorted(a, b), find("policy"));
        assertEquals(sorted(e, f), find("machine learning OR AI"));
        assertEquals(List.of(b), find("policy NOT refund"));
        assertEquals(List.of(a), find("\"refund policy\""));
        assertEquals(List.of(), find("\"policy refund\""), "a phrase is in order");
        assertEquals(sorted(a, b), find("refu*"));
        assertEquals(List.of(c), find("timeout NEAR/3 retry"), "three words between: in; thirteen: out");
        assertEquals(List.of(c), find("timeout NEAR/12 retry"));
        assertEquals(sorted(c, d), find("timeout NEAR/13 retry"));
        assertEquals(List.of(c), find("retry NEAR/3 timeout"), "either order");
        assertEquals(sorted(a, b), find("understood OR noted"), "answers are searched too");
    }

    @Test
    void hitsCarryMarkedSnippetsRankedByRelevanceAndPagesByKeyset() throws Exception {
        Instant now = Instant.now();
        String weak = log(chat("refund once, then a long story about many other things entirely unrelated here"),
                answer("ok"), now);
        String strong = log(chat("refund refund refund"), answer("ok"), now);
        LogSearch.Page first = search.search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false,
                1, Optional.empty());
        assertEquals(List.of(strong), first.hits().stream().map(LogSearch.Hit::id).toList(), "best first");
        assertTrue(first.hits().get(0).snippet().stream().anyMatch(s -> s.marked() && s.text().equals("refund")),
                first.hits().get(0).snippet().toString());
        LogSearch.Page second = search.search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false,
                1, Optional.of(first.nextCursor()));
        assertEquals(List.of(weak), second.hits().stream().map(LogSearch.Hit::id).toList());
        assertEquals(null, second.nextCursor(), "the last page says so");
        assertThrows(IllegalArgumentException.class, () -> search.search(Optional.empty(), LogSearch.Filters.NONE,
                false, 1, Optional.of(first.nextCursor())), "a relevance cursor is no time cursor");
    }

    @Test
    void filtersNarrowTheList() throws Exception {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        String early = log(chat("hello"), answer("hi"), now.minus(Duration.ofDays(2)));
        String late = log(chat("hello"), answer("hi"), now);
        LogSearch.Filters day = new LogSearch.Filters(Optional.of(now.minus(Duration.ofHours(1))), Optional.empty(),
                Optional.of("m-up*"), Optional.of("key-1"), Optional.of("alice"),
                Optional.of(StatusRange.parse("2xx")), Optional.of("openai"), Optional.empty());
        assertEquals(List.of(late), search.search(Optional.empty(), day, true, 10, Optional.empty()).hits().stream()
                .map(LogSearch.Hit::id).toList());
        assertEquals(List.of(late, early), search.search(Optional.empty(), LogSearch.Filters.NONE, true, 10,
                Optional.empty()).hits().stream().map(LogSearch.Hit::id).toList(), "newest first");
        LogSearch.Filters other = new LogSearch.Filters(Optional.empty(), Optional.empty(), Optional.of("gpt-*"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(0, search.search(Optional.empty(), other, true, 10, Optional.empty()).hits().size());
    }

    @Test
    void whatComesBackEqualsWhatWasSentAndReceived() throws Exception {
        String request = chat("What is the refund policy?", "Thirty days.", "And for sale items?");
        String id = log(request, answer("Sale items are final."), Instant.now());
        JsonObject entry = reader.entry(id).orElseThrow();
        assertEquals(json(request), entry.getJsonObject("request"));
        assertEquals(json(answer("Sale items are final.")), entry.getJsonObject("response"));
        assertEquals("key-1", entry.getString("key_id"));
        assertFalse(entry.toString().contains("sk-client-secret-1"), "the client's key is never stored");
        assertEquals(Optional.empty(), reader.entry("no-such-id"));
    }

    @Test
    void tenTurnsStoreEachMessageOnce() throws Exception {
        String[] turns = new String[19];
        for (int i = 0; i < turns.length; i++) {
            turns[i] = (i % 2 == 0 ? "question " : "answer ") + i;
        }
        for (int k = 1; k <= 10; k++) {
            String[] history = Arrays.copyOf(turns, 2 * k - 1);
            log(chat(history), answer("reply " + k), Instant.now());
        }
        Sql sql = new Sql(db);
        long messages = sql.query("SELECT COUNT(*) FROM log_messages", p -> { }, rs -> rs.getLong(1)).get(0);
        long links = sql.query("SELECT COUNT(*) FROM log_entry_messages", p -> { }, rs -> rs.getLong(1)).get(0);
        assertEquals(19 + 10, messages, "19 distinct turns and 10 answers, each once");
        assertEquals(100 + 10, links, "each call refers to its 2k - 1 turns and its answer");
        long indexed = sql.query("SELECT COUNT(*) FROM log_text", p -> { }, rs -> rs.getLong(1)).get(0);
        assertEquals(messages, indexed, "each message indexed once");
    }

    @Test
    void retentionRemovesWholeDaysAndWhatNothingRefersTo() throws Exception {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        String old = log(chat("shared opening", "old reply", "only in the old call"), answer("old answer"),
                now.minus(Duration.ofDays(31)));
        String edge = log(chat("at the edge"), answer("edge answer"), Instant.parse("2026-11-03T00:00:01Z"));
        String recent = log(chat("shared opening"), answer("new answer"), now);
        assertEquals(1, writes.deleteBefore(now, 30), "the day 30 days back is kept whole");
        assertEquals(Optional.empty(), reader.entry(old));
        assertTrue(reader.entry(edge).isPresent());
        assertEquals(json(chat("shared opening")), reader.entry(recent).orElseThrow().getJsonObject("request"));
        assertEquals(List.of(), find("\"only in the old call\""), "its own messages went with it");
        Sql sql = new Sql(db);
        long orphans = sql.query("SELECT COUNT(*) FROM log_messages m WHERE NOT EXISTS (SELECT 1 FROM log_entry_messages"
                + " em WHERE em.message_id = m.id)", p -> { }, rs -> rs.getLong(1)).get(0);
        assertEquals(0, orphans);
        long text = sql.query("SELECT COUNT(*) FROM log_text", p -> { }, rs -> rs.getLong(1)).get(0);
        long messages = sql.query("SELECT COUNT(*) FROM log_messages", p -> { }, rs -> rs.getLong(1)).get(0);
        assertEquals(messages, text, "the index lost the removed messages too");
    }

    @Test
    void redactionAndTheBodyCapApplyBeforeStorage() throws Exception {
        settings = new TollgateConfig.Logs(true, 300, 30, 1 << 20,
                List.of(new Redaction(Pattern.compile("sk-[A-Za-z0-9]{8,}"), "[key]")));
        String id = log(chat("my key is sk-abcdefgh12345 please keep it"), answer("ok"), Instant.now());
        JsonObject entry = reader.entry(id).orElseThrow();
        assertFalse(entry.toString().contains("sk-abcdefgh12345"));
        assertTrue(entry.toString().contains("my key is [key] please"));
        assertTrue(entry.getJsonObject("flags").getBoolean("redacted"));
        assertEquals(List.of(), find("abcdefgh12345"), "not in the index either");

        String big = log(chat("x ".repeat(400)), answer("ok"), Instant.now());
        JsonObject cut = reader.entry(big).orElseThrow();
        assertTrue(cut.getJsonObject("flags").getBoolean("truncated"));
        assertTrue(cut.getString("request").length() <= 300, "its first 300 bytes, as text");
    }

    @Test
    void aRuleThatBacktracksWithoutEndWithholdsTheTextInsteadOfHoldingTheWriter() throws Exception {
        settings = new TollgateConfig.Logs(true, 64 * 1024, 30, 1 << 20, List.of(
                new Redaction(Pattern.compile("sk-[A-Za-z0-9]{8,}"), "[key]"),
                new Redaction(Pattern.compile("(.*,){12}X"), "[list]")));
        // (.*,){12}X tries every way to cut sixty commas into twelve runs (about 10^12) before failing:
        // hours of the writer's time without the budget, which this test would wait out
        String hostile = ",".repeat(60) + " and sk-abcdefgh12345";
        String id = log(chat(hostile, "fine"), answer("the answer is fine"), Instant.now());
        JsonObject entry = reader.entry(id).orElseThrow();
        assertFalse(entry.toString().contains("sk-abcdefgh12345"), "nothing the rules were to hide is kept");
        assertTrue(entry.toString().contains(StoredJson.WITHHELD), entry.toString());
        assertTrue(entry.toString().contains("the answer is fine"), "texts the rules finish with are kept");
        assertTrue(entry.getJsonObject("flags").getBoolean("redacted"));
        assertEquals(List.of(id), find("answer"));
    }

    @Test
    void aStreamIsStoredAsTheWholeAnswerOfTheClientsFormat() throws Exception {
        String id = UUID.randomUUID().toString();
        Transcript t = new Transcript(Optional.of(OpenAiChat.INSTANCE), 1 << 20);
        t.request(chat("hi").getBytes(StandardCharsets.UTF_8));
        for (String chunk : new String[] {"Hel", "lo ", "there"}) {
            t.streamed(("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"" + chunk + "\"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
        }
        t.streamed(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        t.streamed(("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        writes.write(List.of(new EntryBuilder(settings).build(t, record(id, Instant.now(), true))));
        JsonObject entry = reader.entry(id).orElseThrow();
        JsonObject message = entry.getJsonObject("response").getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message");
        assertEquals("Hello there", message.getString("content"));
        assertEquals("stop", entry.getJsonObject("response").getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason"));
        assertFalse(entry.getJsonObject("flags").getBoolean("partial"));
        assertTrue(entry.getBoolean("stream"));
        JsonObject usage = entry.getJsonObject("response").getJsonObject("usage");
        assertEquals(List.of(3, 2), List.of(usage.getInt("prompt_tokens"), usage.getInt("completion_tokens")),
                "the record's usage, though the client's stream carried none");

        String cutId = UUID.randomUUID().toString();
        Transcript cut = new Transcript(Optional.of(OpenAiChat.INSTANCE), 1 << 20);
        cut.request(chat("hi").getBytes(StandardCharsets.UTF_8));
        cut.streamed(("data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Half an\"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
        writes.write(List.of(new EntryBuilder(settings).build(cut, record(cutId, Instant.now(), true))));
        JsonObject partial = reader.entry(cutId).orElseThrow();
        assertTrue(partial.getJsonObject("flags").getBoolean("partial"), "a stream cut before its end");
        assertTrue(partial.getJsonObject("response").toString().contains("Half an"));
    }

    @Test
    void aStreamIsKeptUpToTheBodyCapAndFlaggedCutBeyondIt() throws Exception {
        String chunk = "data: {\"id\":\"c3\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";
        byte[] first = String.format(chunk, "kept").getBytes(StandardCharsets.UTF_8);
        byte[] second = String.format(chunk, "lost").getBytes(StandardCharsets.UTF_8);
        int cap = first.length + 40;
        Transcript t = new Transcript(Optional.of(OpenAiChat.INSTANCE), cap);
        t.request(chat("hi").getBytes(StandardCharsets.UTF_8));
        t.streamed(first);
        t.streamed(second);
        t.streamed(second);
        assertEquals(cap, t.held(), "what is kept is held, up to the cap and no more");
        byte[] kept = t.answerBytes();
        assertEquals(cap, kept.length);
        assertEquals(new String(first, StandardCharsets.UTF_8) + new String(second, 0, 40, StandardCharsets.UTF_8),
                new String(kept, StandardCharsets.UTF_8), "the first event whole, then the cap's worth of the next");
        String id = UUID.randomUUID().toString();
        writes.write(List.of(new EntryBuilder(settings).build(t, record(id, Instant.now(), true))));
        JsonObject entry = reader.entry(id).orElseThrow();
        assertTrue(entry.getJsonObject("flags").getBoolean("truncated"));
        assertTrue(entry.getJsonObject("flags").getBoolean("partial"));
        String said = entry.getJsonObject("response").getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content");
        assertEquals("kept", said, "the cut event is not half read");
    }

    @Test
    void aFullQueueDropsBodiesAndCountsThem() {
        LogCapture capture = LogCapture.start(new TollgateConfig.Logs(true, 1 << 20, 30, 10, List.of()), db);
        try {
            Transcript t = capture.open(Optional.of(OpenAiChat.INSTANCE));
            t.request(chat("a body larger than the ten bytes the queue may hold").getBytes(StandardCharsets.UTF_8));
            capture.recorded(t, record(UUID.randomUUID().toString(), Instant.now(), false));
            assertEquals(1, capture.dropped());
            assertEquals(0, capture.queuedBytes());
        } finally {
            capture.close();
        }
    }

    @Test
    void openStreamsShareTheBudgetAndGiveItBack() {
        LogCapture capture = LogCapture.start(new TollgateConfig.Logs(true, 1 << 20, 30, 100, List.of()), db);
        try {
            Transcript first = capture.open(Optional.of(OpenAiChat.INSTANCE));
            first.streamed(new byte[80]);
            assertEquals(80, capture.queuedBytes(), "an open stream's copy counts");
            Transcript second = capture.open(Optional.of(OpenAiChat.INSTANCE));
            second.streamed(new byte[40]);
            assertTrue(second.streamTruncated(), "the budget is spent: the second stream is not kept");
            second.streamed(new byte[1]);
            assertEquals(0, second.held());
            first.release();
            assertEquals(0, capture.queuedBytes(), "given back when done with");
        } finally {
            capture.close();
        }
    }
}
