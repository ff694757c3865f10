package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.bundle.Bundles;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The request log through the HTTP API, on whichever database the suite runs on (SQLite, and
 * PostgreSQL in the second run): what {@code GET /admin/logs/{id}} returns equals what each client
 * sent and received, streamed or not, passed through or translated; every search form finds its
 * match and not its near-miss; keys never reach the log; bad queries are 400s.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LogsIT {
    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(LogsIT.class, "100ms");
    }

    private enum Client { OPENAI, RESPONSES, ANTHROPIC, GEMINI }

    /** A word no other test writes, so searches see only this run's calls. */
    private static String unique() {
        StringBuilder w = new StringBuilder("zq");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 10; i++) {
            w.append((char) ('a' + r.nextInt(26)));
        }
        return w.toString();
    }

    /** The entry once both it and its usage record are written (each by its own writer). */
    private static JsonObject entry(String id) {
        TestRig.await(() -> {
            HttpResponse<String> r = TestRig.admin("GET", "admin/logs/" + id, null);
            return r.statusCode() == 200 && json(r.body()).get("usage") instanceof JsonObject;
        }, "log entry " + id);
        return json(TestRig.admin("GET", "admin/logs/" + id, null).body());
    }

    private static HttpResponse<String> call(Client client, String model, boolean stream, String key, String text) {
        String say = "\"" + text + "\"";
        return switch (client) {
            case OPENAI -> TestRig.post("v1/chat/completions", key, "{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                    + "\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":" + say + "}],\"stream\":" + stream
                    + ",\"temperature\":0.2}");
            case RESPONSES -> TestRig.post("v1/responses", key, "{\"model\":\"" + model + "\",\"instructions\":\"Be brief.\","
                    + "\"input\":[{\"role\":\"user\",\"content\":" + say + "}],\"stream\":" + stream + "}");
            case ANTHROPIC -> TestRig.postWith("v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":50,\"system\":"
                    + "\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":" + say + "}],\"stream\":" + stream + "}",
                    "x-api-key", key);
            case GEMINI -> TestRig.postWith("v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse"
                    : ":generateContent"), "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},\"contents\":[{"
                    + "\"role\":\"user\",\"parts\":[{\"text\":" + say + "}]}]}", "x-goog-api-key", key);
        };
    }

    /** The text of a whole answer in each client's format. */
    private static String text(Client client, JsonObject answer) {
        StringBuilder b = new StringBuilder();
        switch (client) {
            case OPENAI -> b.append(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                    .getString("content"));
            case RESPONSES -> answer.getJsonArray("output").forEach(item -> {
                if (item.asJsonObject().get("content") instanceof JsonArray parts) {
                    parts.forEach(p -> b.append(p.asJsonObject().getString("text", "")));
                }
            });
            case ANTHROPIC -> answer.getJsonArray("content").forEach(c -> b.append(c.asJsonObject().getString("text", "")));
            case GEMINI -> answer.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts")
                    .forEach(p -> b.append(p.asJsonObject().getString("text", "")));
        }
        return b.toString();
    }

    /** The text a client read from a stream, event by event. */
    private static String streamedText(Client client, String sse) {
        StringBuilder b = new StringBuilder();
        for (String data : TestRig.dataLines(sse.replace("\r\n", "\n"))) {
            if (data.equals("[DONE]")) {
                continue;
            }
            JsonObject e = json(data);
            switch (client) {
                case OPENAI -> e.getJsonArray("choices").forEach(c -> {
                    if (c.asJsonObject().getJsonObject("delta").get("content") instanceof JsonString s) {
                        b.append(s.getString());
                    }
                });
                case RESPONSES -> b.append("response.output_text.delta".equals(e.getString("type", ""))
                        ? e.getString("delta") : "");
                case ANTHROPIC -> b.append("content_block_delta".equals(e.getString("type", ""))
                        ? e.getJsonObject("delta").getString("text", "") : "");
                case GEMINI -> b.append(text(Client.GEMINI, e));
            }
        }
        return b.toString();
    }

    @TestFactory
    List<DynamicTest> eachClientGetsBackWhatItSentAndReceived() {
        List<DynamicTest> cells = new ArrayList<>();
        String[][] models = {{"fake-gpt", "claude-fake"}, {"resp-model", "fake-gpt"}, {"claude-fake", "gemini-fake"},
            {"gemini-fake", "fake-gpt"}};
        for (Client client : Client.values()) {
            for (int translated = 0; translated < 2; translated++) {
                for (boolean stream : new boolean[] {false, true}) {
                    String model = models[client.ordinal()][translated];
                    String name = client + (translated == 1 ? " translated to " : " passed through to ") + model
                            + (stream ? " stream" : "");
                    cells.add(DynamicTest.dynamicTest(name, () -> captured(client, model, stream)));
                }
            }
        }
        return cells;
    }

    private static void captured(Client client, String model, boolean stream) {
        String key = TestRig.newKey();
        String word = unique();
        HttpResponse<String> r = call(client, model, stream, key, "Tell me about " + word);
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        JsonObject entry = entry(id);
        JsonObject sent = json(sentBody(client, model, stream, word));
        assertEquals(sent, entry.getJsonObject("request"), "the request as the client sent it");
        String received = stream ? streamedText(client, r.body()) : text(client, json(r.body()));
        assertFalse(received.isEmpty());
        assertEquals(received, text(client, entry.getJsonObject("response")), "the answer as the client received it");
        if (!stream) {
            assertEquals(json(r.body()), entry.getJsonObject("response"), "a whole answer is stored as it was");
        }
        assertEquals(stream, entry.getBoolean("stream"));
        assertEquals(200, entry.getInt("status"));
        assertFalse(entry.getJsonObject("flags").getBoolean("partial"));
        assertEquals("reported", entry.getJsonObject("usage").getString("quality"));
        assertFalse(entry.toString().contains(key), "the client's key is not in the log");
        JsonArray found = json(TestRig.admin("GET", "admin/logs?q=" + word, null).body()).getJsonArray("results");
        assertEquals(1, found.size(), found.toString());
        assertEquals(id, found.getJsonObject(0).getString("id"));
    }

    /** What {@link #call} sent, rebuilt: the comparison is of JSON values. */
    private static String sentBody(Client client, String model, boolean stream, String word) {
        String say = "\"Tell me about " + word + "\"";
        return switch (client) {
            case OPENAI -> "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                    + "{\"role\":\"user\",\"content\":" + say + "}],\"stream\":" + stream + ",\"temperature\":0.2}";
            case RESPONSES -> "{\"model\":\"" + model + "\",\"instructions\":\"Be brief.\",\"input\":[{\"role\":\"user\","
                    + "\"content\":" + say + "}],\"stream\":" + stream + "}";
            case ANTHROPIC -> "{\"model\":\"" + model + "\",\"max_tokens\":50,\"system\":\"Be brief.\",\"messages\":[{"
                    + "\"role\":\"user\",\"content\":" + say + "}],\"stream\":" + stream + "}";
            case GEMINI -> "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},\"contents\":[{\"role\":\"user\","
                    + "\"parts\":[{\"text\":" + say + "}]}]}";
        };
    }

    private static List<String> search(String q) {
        HttpResponse<String> r = TestRig.admin("GET", "admin/logs?limit=500&q="
                + URLEncoder.encode(q, StandardCharsets.UTF_8), null);
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        json(r.body()).getJsonArray("results").forEach(v -> ids.add(v.asJsonObject().getString("id")));
        return ids.stream().sorted().toList();
    }

    private static String logged(String key, String text) {
        HttpResponse<String> r = call(Client.OPENAI, "mock-gpt", false, key, text);
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        entry(id);
        return id;
    }

    private static List<String> sorted(String... ids) {
        return List.of(ids).stream().sorted().toList();
    }

    @Test
    void everySearchFormFindsItsMatchAndNotItsNearMiss() {
        String key = TestRig.newKey();
        String u = unique();
        String a = logged(key, u + " our refund policy allows returns within thirty days");
        String b = logged(key, u + " the policy on refunds is strict");
        String c = logged(key, u + " a timeout happened then a retry worked");
        String d = logged(key, u + " a timeout came and one two three four five six seven eight then retry");
        String e = logged(key, u + " machine learning is fun");
        String f = logged(key, u + " the AI is everywhere");
        assertEquals(List.of(a), search(u + " refund"), "a word");
        assertEquals(List.of(), search(u + " refunded"), "a word is whole");
        assertEquals(sorted(e, f), search(u + " (machine learning OR AI)"), "OR");
        assertEquals(List.of(b), search(u + " policy NOT refund"), "NOT");
        assertEquals(List.of(a), search(u + " \"refund policy\""), "a phrase");
        assertEquals(List.of(), search(u + " \"policy refund\""), "a phrase is in order");
        assertEquals(sorted(a, b), search(u + " refu*"), "a prefix");
        assertEquals(List.of(), search(u + " refz*"), "a prefix that starts no word");
        assertEquals(List.of(c), search(u + " timeout NEAR/3 retry"), "NEAR: three words between");
        assertEquals(sorted(c, d), search(u + " timeout NEAR/11 retry"), "eleven words between");
        assertEquals(List.of(c), search(u + " timeout NEAR/10 retry"), "eleven is more than ten");
    }

    @Test
    void snippetsMarkTheMatchAndPagesFollowTheCursor() {
        String key = TestRig.newKey();
        String u = unique();
        for (int i = 0; i < 3; i++) {
            logged(key, u + " paging test number " + i);
        }
        JsonObject first = json(TestRig.admin("GET", "admin/logs?limit=2&q=" + u, null).body());
        assertEquals(2, first.getJsonArray("results").size());
        JsonArray snippet = first.getJsonArray("results").getJsonObject(0).getJsonArray("snippet");
        assertTrue(snippet.stream().anyMatch(s -> s.asJsonObject().getBoolean("match")
                && s.asJsonObject().getString("text").equalsIgnoreCase(u)), snippet.toString());
        String cursor = first.getString("next_cursor");
        JsonObject second = json(TestRig.admin("GET", "admin/logs?limit=2&q=" + u + "&cursor=" + cursor, null).body());
        assertEquals(1, second.getJsonArray("results").size());
        assertEquals(JsonValue.NULL, second.get("next_cursor"));
        JsonArray byTime = json(TestRig.admin("GET", "admin/logs?sort=time&q=" + u, null).body()).getJsonArray("results");
        assertEquals(3, byTime.size());
        assertTrue(byTime.getJsonObject(0).getString("ts").compareTo(byTime.getJsonObject(2).getString("ts")) >= 0,
                "newest first");
        JsonArray byKey = json(TestRig.admin("GET", "admin/logs?limit=500&key=" + TestRig.masked(key), null).body())
                .getJsonArray("results");
        assertTrue(byKey.size() >= 3);
        byKey.forEach(v -> assertEquals(TestRig.masked(key), v.asJsonObject().getString("key")));
    }

    @Test
    void keysNeverReachTheLogAndRedactionApplies() {
        String key = TestRig.newKey();
        String u = unique();
        String id = logged(key, u + " my secret is sk-redact-abc123 keep it");
        JsonObject entry = entry(id);
        String all = entry.toString() + TestRig.admin("GET", "admin/logs?q=" + u, null).body();
        assertFalse(all.contains(key));
        assertFalse(all.contains("sk-redact-abc123"));
        assertTrue(all.contains("my secret is [key] keep it"), all);
        assertTrue(entry.getJsonObject("flags").getBoolean("redacted"));
        assertFalse(all.contains("sk-upstream-secret"));
    }

    @Test
    void badQueriesAndParametersAre400sAndOnlyAdminsMayLook() {
        for (String q : new String[] {"NOT+x", "%22open", "a+NEAR/99+b", "(a"}) {
            HttpResponse<String> r = TestRig.admin("GET", "admin/logs?q=" + q, null);
            assertEquals(400, r.statusCode(), q + ": " + r.body());
            assertTrue(json(r.body()).getJsonObject("error").getString("message").startsWith("q: "), r.body());
        }
        assertEquals(400, TestRig.admin("GET", "admin/logs?limit=501", null).statusCode());
        assertEquals(400, TestRig.admin("GET", "admin/logs?from=yesterday", null).statusCode());
        assertEquals(400, TestRig.admin("GET", "admin/logs?cursor=bm9uc2Vuc2U", null).statusCode());
        assertEquals(404, TestRig.admin("GET", "admin/logs/no-such-call", null).statusCode());
        assertEquals(401, TestRig.operator("admin/logs", null).statusCode());
        assertEquals(403, TestRig.operator("admin/logs", TestRig.VIEWER).statusCode());
        JsonObject health = json(TestRig.operator("_qs/health", null).body());
        assertTrue(health.getJsonObject("logs").getBoolean("running"), health.toString());
    }

    @Test
    void callsAreGroupedIntoConversationsAndANamedOneKeepsItsName() {
        String key = TestRig.newKey();
        String u = unique();
        String first = "{\"role\":\"user\",\"content\":\"" + u + " plan a trip\"}";
        HttpResponse<String> one = TestRig.post("v1/chat/completions", key, "{\"model\":\"fake-gpt\",\"messages\":["
                + first + "]}");
        String answer = json(one.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content");
        HttpResponse<String> two = TestRig.post("v1/chat/completions", key, "{\"model\":\"fake-gpt\",\"messages\":["
                + first + ",{\"role\":\"assistant\",\"content\":\"" + answer + "\"},{\"role\":\"user\",\"content\":"
                + "\"and then?\"}]}");
        String id1 = one.headers().firstValue("x-tollgate-request-id").orElseThrow();
        String id2 = two.headers().firstValue("x-tollgate-request-id").orElseThrow();
        String conversation = entry(id1).getString("conversation_id");
        assertEquals(conversation, entry(id2).getString("conversation_id"), "the second turn continues the first");
        JsonObject c = json(TestRig.admin("GET", "admin/conversations/" + conversation, null).body());
        assertEquals(2, c.getJsonArray("turns").size());
        assertEquals(id1, c.getJsonArray("turns").getJsonObject(1).getString("parent_id"));
        assertEquals(TestRig.masked(key), c.getJsonObject("caller").getString("key"));
        assertTrue(c.getJsonObject("totals").getInt("tokens") > 0, c.toString());
        JsonArray listed = json(TestRig.admin("GET", "admin/logs?conversation=" + conversation, null).body())
                .getJsonArray("results");
        assertEquals(2, listed.size());

        // every answer names its conversation; the second turn came before the first was logged, so its
        // answer may name its own call, which leads to the same conversation
        assertEquals(conversation, one.headers().firstValue("x-tollgate-conversation-id").orElseThrow());
        String named2 = two.headers().firstValue("x-tollgate-conversation-id").orElseThrow();
        assertTrue(named2.equals(conversation) || named2.equals(id2), named2);
        assertEquals(conversation, json(TestRig.admin("GET", "admin/conversations/" + named2, null).body())
                .getString("id"));
        String answer2 = json(two.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content");
        HttpResponse<String> three = TestRig.post("v1/chat/completions", key, "{\"model\":\"fake-gpt\",\"stream\":true,"
                + "\"messages\":[" + first + ",{\"role\":\"assistant\",\"content\":\"" + answer + "\"},{\"role\":\"user\","
                + "\"content\":\"and then?\"},{\"role\":\"assistant\",\"content\":\"" + answer2 + "\"},{\"role\":\"user\","
                + "\"content\":\"thanks\"}]}");
        assertEquals(200, three.statusCode(), three.body());
        assertEquals(conversation, three.headers().firstValue("x-tollgate-conversation-id").orElseThrow(),
                "once the turns before it are logged, a streamed answer names the conversation it continues");
        HttpResponse<String> echoed = TestRig.postWith("v1/chat/completions", "{\"model\":\"fake-gpt\",\"messages\":[{"
                + "\"role\":\"user\",\"content\":\"" + u + " unrelated\"}]}", "Authorization", "Bearer " + key,
                "x-tollgate-conversation-id", named2);
        assertEquals(conversation, echoed.headers().firstValue("x-tollgate-conversation-id").orElseThrow());
        assertEquals(conversation, entry(echoed.headers().firstValue("x-tollgate-request-id").orElseThrow())
                .getString("conversation_id"), "a name an answer gave leads to its conversation");

        HttpResponse<String> named = TestRig.postWith("v1/chat/completions", "{\"model\":\"mock-gpt\",\"messages\":[{"
                + "\"role\":\"user\",\"content\":\"" + u + " hi\"}]}", "Authorization", "Bearer " + key,
                "x-tollgate-conversation-id", "ticket-" + u);
        assertEquals("ticket-" + u, entry(named.headers().firstValue("x-tollgate-request-id").orElseThrow())
                .getString("conversation_id"));
        assertEquals("ticket-" + u, named.headers().firstValue("x-tollgate-conversation-id").orElseThrow());
        assertEquals(404, TestRig.admin("GET", "admin/conversations/none-" + u, null).statusCode());
    }

    private static HttpResponse<byte[]> bundleCall(String method, String path, byte[] body, String credentials)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestRig.base() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/zip")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * A day's calls leave as a bundle through the admin API and come back adding nothing; a cut
     * bundle is refused with 400 in the admin API's error format; viewers cannot take one.
     */
    @Test
    void aBundleOfTodaysCallsDownloadsAndImportingItBackAddsNothing() throws Exception {
        String key = TestRig.newKey();
        String u = unique();
        HttpResponse<String> call = call(Client.OPENAI, "mock-gpt", false, key, u + " bundle me");
        String id = call.headers().firstValue("x-tollgate-request-id").orElseThrow();
        entry(id);
        String day = LocalDate.now(ZoneOffset.UTC).toString();
        HttpResponse<byte[]> bundle = bundleCall("GET", "admin/bundles?from=" + day + "&key=" + URLEncoder.encode(TestRig.masked(key), StandardCharsets.UTF_8), null,
                TestRig.ADMIN);
        assertEquals(200, bundle.statusCode(), new String(bundle.body(), StandardCharsets.UTF_8));
        assertEquals("application/zip", bundle.headers().firstValue("content-type").orElseThrow());
        assertTrue(bundle.headers().firstValue("content-disposition").orElseThrow().contains(".zip"));
        Path file = Files.createTempFile("it-bundle", ".zip");
        Files.write(file, bundle.body());
        JsonObject counts = Bundles.verify(file).getJsonObject("counts");
        assertEquals(1, counts.getInt("usage_records"), counts.toString());
        assertEquals(1, counts.getInt("log_entries"), counts.toString());

        HttpResponse<byte[]> back = bundleCall("POST", "admin/bundles", bundle.body(), TestRig.ADMIN);
        assertEquals(200, back.statusCode(), new String(back.body(), StandardCharsets.UTF_8));
        JsonObject added = json(new String(back.body(), StandardCharsets.UTF_8));
        assertEquals(0, added.getInt("records_added"));
        assertEquals(1, added.getInt("records_skipped"));
        assertEquals(0, added.getInt("messages_added"));

        JsonObject mine = json(TestRig.operator("_qs/metrics?from=" + day + "&instance=it-instance", TestRig.VIEWER).body());
        assertTrue(mine.getJsonObject("totals").getInt("requests") >= 1, mine.toString());
        assertEquals(0, json(TestRig.operator("_qs/metrics?from=" + day + "&instance=elsewhere", TestRig.VIEWER).body())
                .getJsonObject("totals").getInt("requests"), "metrics by instance: none served elsewhere");
        assertEquals(400, TestRig.operator("_qs/metrics?instance=" + "x".repeat(200), TestRig.VIEWER).statusCode());

        HttpResponse<byte[]> cut = bundleCall("POST", "admin/bundles", Arrays.copyOf(bundle.body(),
                bundle.body().length / 2), TestRig.ADMIN);
        assertEquals(400, cut.statusCode());
        assertTrue(json(new String(cut.body(), StandardCharsets.UTF_8)).getJsonObject("error").getString("message")
                .startsWith("The bundle was refused"));
        assertEquals(400, bundleCall("GET", "admin/bundles?from=tomorrow", null, TestRig.ADMIN).statusCode());
        assertEquals(403, bundleCall("GET", "admin/bundles", null, TestRig.VIEWER).statusCode());
    }
}
