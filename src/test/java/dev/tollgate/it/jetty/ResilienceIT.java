package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resilient routing on its own deployment (fill-first): a credential answering 429 rests for its
 * Retry-After while the next one serves, request-level fallback models, x-debug headers, payload rules.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ResilienceIT {
    @Deployment(testable = false)
    static WebArchive war() {
        String base = TestRig.fake().baseUrl();
        return TestRig.deployment("tollgate-resilienceit", "100ms", ""
                + "routing: {strategy: fill-first, cooldown: 5s}\n"
                + "payload:\n"
                + "  - models: [fake-nousage]\n"
                + "    override: {temperature: 0.1}\n"
                + "    default: {top_p: 0.5, seed: 7}\n"
                + "    remove: [user]\n"
                + "codex-api-key:\n"
                + "  - api-key: sk-first\n    wire-api: chat-completions\n    base-url: " + base + "\n    models: [{id: fake-429, alias: resilient}]\n"
                + "  - api-key: sk-second\n    wire-api: chat-completions\n    base-url: " + base + "\n    models: [{id: fake-gpt, alias: resilient}]\n"
                + "  - api-key: sk-third\n    wire-api: chat-completions\n    base-url: " + base + "\n    models: [{id: fake-cut0, alias: cutfirst}]\n"
                + "  - api-key: sk-fourth\n    wire-api: chat-completions\n    base-url: " + base + "\n    models: [{id: fake-cut, alias: cutlater}, "
                + "{id: fake-flaky, alias: flaky}]\n"
                + "  - api-key: sk-fifth\n    wire-api: chat-completions\n    base-url: " + base + "\n    models: [{id: fake-gpt, alias: cutfirst}, "
                + "{id: fake-gpt, alias: cutlater}]\n");
    }

    private static HttpResponse<String> debugged(String key, String body) {
        return TestRig.postWith("v1/chat/completions", body, "Authorization", "Bearer " + key, "x-debug", "true");
    }

    private static long calls(String model) {
        return TestRig.fake().received().stream().filter(r -> model.equals(r.body().getString("model", ""))).count();
    }

    @Test
    void aRateLimitedCredentialRestsWhileTheNextServes() {
        String key = newKey();
        long before = calls("fake-429");
        HttpResponse<String> first = debugged(key, chat("resilient", false, null, "hi"));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("2", first.headers().firstValue("x-debug-attempts").orElseThrow());
        assertEquals("codex#2", first.headers().firstValue("x-debug-credential").orElseThrow());
        assertEquals("fake-gpt", first.headers().firstValue("x-debug-model").orElseThrow());
        assertEquals("codex", first.headers().firstValue("x-debug-provider").orElseThrow());
        assertEquals(before + 1, calls("fake-429"));

        HttpResponse<String> second = debugged(key, chat("resilient", false, null, "hi"));
        assertEquals("1", second.headers().firstValue("x-debug-attempts").orElseThrow(),
                "the first credential rests for its Retry-After (1 s): the second goes first now");
        assertEquals(before + 1, calls("fake-429"), "the resting credential was not called");
        JsonObject providers = TestRig.json(TestRig.operator("admin/providers", TestRig.ADMIN).body());
        JsonObject resting = providers.getJsonArray("data").getValuesAs(JsonObject.class).stream()
                .filter(p -> p.getString("label").equals("codex#1")).findFirst().orElseThrow();
        assertEquals("cooling", resting.getString("state"), providers.toString());
        assertEquals("upstream answered 429", resting.getString("last_error"));
        assertFalse(providers.toString().contains("sk-first"), "never a key");
        TestRig.pause(1100);
        HttpResponse<String> rested = debugged(key, chat("resilient", false, null, "hi"));
        assertEquals("2", rested.headers().firstValue("x-debug-attempts").orElseThrow(), "rested: tried first again");
        assertEquals(before + 2, calls("fake-429"));
        assertFalse(TestRig.post("v1/chat/completions", key, chat("resilient", false, null, "hi")).headers()
                .firstValue("x-debug-attempts").isPresent(), "no debug headers unless asked");

        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertEquals(2, number(rows.get(0), "attempts"));
        assertEquals("codex", rows.get(0).get("provider"));
        assertEquals("fake-gpt", rows.get(0).get("model"));
        assertEquals(1, number(rows.get(1), "attempts"));
    }

    @Test
    void aStreamThatDiesBeforeItsFirstByteIsRetriedAndOneThatDiesAfterIsNot() {
        String key = newKey();
        HttpResponse<String> retried = debugged(key, chat("cutfirst", true, null, "hi"));
        assertEquals(200, retried.statusCode());
        assertEquals("2", retried.headers().firstValue("x-debug-attempts").orElseThrow());
        assertEquals("[DONE]", TestRig.dataLines(retried.body()).get(TestRig.dataLines(retried.body()).size() - 1));

        HttpResponse<String> cut = debugged(key, chat("cutlater", true, null, "hi"));
        assertEquals("1", cut.headers().firstValue("x-debug-attempts").orElseThrow(),
                "bytes reached the client: no retry, which would repeat them");
        assertTrue(cut.body().contains("\"error\""), cut.body());

        long flakyBefore = calls("fake-flaky");
        HttpResponse<String> flaky = debugged(key, chat("flaky", false, null, "hi"));
        assertEquals(200, flaky.statusCode(), "a 500, then the retry succeeds");
        assertEquals(flakyBefore + 2, calls("fake-flaky"));
        assertEquals("2", flaky.headers().firstValue("x-debug-attempts").orElseThrow());

        List<Map<String, Object>> rows = awaitRecords(key, 3);
        assertEquals(List.of(200L, 502L, 200L), rows.stream().map(r -> number(r, "status")).toList());
        assertEquals(2, number(rows.get(0), "attempts"));
        assertEquals("partial", rows.get(1).get("usage_quality"));
    }

    @Test
    void fallbackModelsAreTriedInOrderAndNeverSentUpstream() {
        String key = newKey();
        long toolsBefore = calls("fake-tools");
        String body = "{\"model\":\"dead-model\",\"models\":[\"fake-gpt\",\"fake-tools\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        HttpResponse<String> r = debugged(key, body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("fake-gpt", r.headers().firstValue("x-debug-model").orElseThrow());
        assertEquals("3", r.headers().firstValue("x-debug-attempts").orElseThrow(),
                "dead-model twice (request-retry 1), then the fallback");
        List<FakeOpenAi.Received> got = TestRig.fake().received();
        assertFalse(got.get(got.size() - 1).body().containsKey("models"));
        assertEquals(toolsBefore, calls("fake-tools"), "the chain ends at its first success");
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(3, number(row, "attempts"));
        assertEquals("dead-model", row.get("requested_model"));
        assertEquals(200, number(row, "status"));

        HttpResponse<String> bad = TestRig.post("v1/chat/completions", key,
                "{\"model\":\"fake-gpt\",\"models\":[5],\"messages\":[]}");
        assertEquals(400, bad.statusCode());
        assertEquals("models", TestRig.json(bad.body()).getJsonObject("error").getString("param"));
    }

    @Test
    void payloadRulesShapeTheBodyForTheirModels() {
        String key = newKey();
        String body = "{\"model\":\"fake-nousage\",\"temperature\":1,\"top_p\":0.9,\"user\":\"me\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        assertEquals(200, TestRig.post("v1/chat/completions", key, body).statusCode());
        List<FakeOpenAi.Received> got = TestRig.fake().received();
        JsonObject sent = got.get(got.size() - 1).body();
        assertEquals("0.1", sent.getJsonNumber("temperature").toString(), "overridden");
        assertEquals("0.9", sent.getJsonNumber("top_p").toString(), "the client's own value stays");
        assertEquals(7, sent.getInt("seed"), "defaulted");
        assertFalse(sent.containsKey("user"), "removed");
    }
}
