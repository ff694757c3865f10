package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.exchange;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The model-call paths are plain servlets beside the JAX-RS application: wrong methods, unknown
 * paths and odd requests on them still answer in the dialect's own error format, and the paths
 * JAX-RS keeps (listings, unknown /v1 URLs) still answer as before.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DialectRoutingIT {
    private static final String GEMINI_BODY = "{\"contents\":[{\"parts\":[{\"text\":\"Say hello\"}]}]}";

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(DialectRoutingIT.class, "100ms");
    }

    @Test
    void wrongMethodsAreRefusedInEachDialectsFormat() {
        HttpResponse<String> openAi = exchange("GET", "v1/chat/completions", null);
        assertEquals(405, openAi.statusCode());
        assertEquals("method_not_allowed", json(openAi.body()).getJsonObject("error").getString("code"));
        assertEquals("POST", openAi.headers().firstValue("Allow").orElse(""));
        assertTrue(openAi.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

        HttpResponse<String> anthropic = exchange("PUT", "v1/messages", "{}");
        assertEquals(405, anthropic.statusCode());
        assertEquals("error", json(anthropic.body()).getString("type"));

        HttpResponse<String> gemini = exchange("GET", "v1beta/models/gemini-fake:generateContent", null);
        assertEquals(405, gemini.statusCode());
        assertEquals(405, json(gemini.body()).getJsonObject("error").getInt("code"));
        assertEquals(405, exchange("POST", "v1beta/models", GEMINI_BODY, "x-goog-api-key", newKey()).statusCode());
    }

    @Test
    void unknownPathsAnswerNotFoundInTheirDialect() {
        String key = newKey();
        HttpResponse<String> gemini = exchange("POST", "v1beta/tunedModels/x:generateContent", GEMINI_BODY,
                "x-goog-api-key", key);
        assertEquals(404, gemini.statusCode());
        JsonObject error = json(gemini.body()).getJsonObject("error");
        assertEquals("NOT_FOUND", error.getString("status"));
        assertTrue(error.getString("message").contains("/v1beta/tunedModels/x:generateContent"), error.toString());
        HttpResponse<String> method = exchange("POST", "v1beta/models/gemini-fake:explode", GEMINI_BODY,
                "x-goog-api-key", key);
        assertEquals(404, method.statusCode());
        assertTrue(json(method.body()).getJsonObject("error").getString("message").contains("'explode'"));

        HttpResponse<String> openAi = TestRig.post("v1/no/such/path", key, "{}");
        assertEquals(404, openAi.statusCode(), "unknown /v1 URLs stay with JAX-RS and its error mapper");
        assertTrue(json(openAi.body()).getJsonObject("error").getString("message").contains("/v1/no/such/path"));
        HttpResponse<String> batches = exchange("POST", "v1/messages/batches", "{}", "x-api-key", key);
        assertEquals(404, batches.statusCode());
        assertEquals("error", json(batches.body()).getString("type"));
        assertEquals(200, TestRig.get("v1/models", key).statusCode());
    }

    @Test
    void queryKeyDoesNotConsumeAFormEncodedBody() {
        String key = newKey();
        HttpResponse<String> r = exchange("POST", "v1beta/models/gemini-fake:generateContent?alt=json&key=" + key,
                GEMINI_BODY, "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject sent = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1).body();
        assertEquals("Say hello", sent.getJsonArray("contents").getJsonObject(0).getJsonArray("parts")
                .getJsonObject(0).getString("text"), "the body reached the upstream whole");
        List<Map<String, Object>> rows = awaitRecords(key, 1);
        assertEquals(200, number(rows.get(0), "status"));
        assertEquals("gemini", rows.get(0).get("provider"));
    }
}
