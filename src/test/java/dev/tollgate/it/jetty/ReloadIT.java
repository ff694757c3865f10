package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.dataLines;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The config file changes under load: 20 streams open and a steady stream of calls. Every stream
 * completes, every call is recorded once, the new credential and client key serve from the next
 * call; a bad file is refused with its line and the old config keeps serving.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReloadIT {
    private static final String NAME = "tollgate-reloadit";
    private static final String NEW_CLIENT_KEY = "sk-it-added-by-reload";

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(NAME, "100ms", "");
    }

    private static String fresh() {
        return "  - name: fresh\n    base-url: " + TestRig.fake().baseUrl() + "\n    api-key: sk-fresh\n"
                + "    models: [{name: fresh-model}]\n";
    }

    @Test
    void aReloadUnderLoadCutsNoStreamLosesNoRecordAndServesTheNewCredential() throws Exception {
        Path file = TestRig.configFile(NAME);
        String original = Files.readString(file);
        String key = newKey();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            streams.add(client.sendAsync(HttpRequest.newBuilder(URI.create(TestRig.base() + "v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(chat("fake-slow", true, null, "stream " + i))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger steadyCalls = new AtomicInteger();
        List<Integer> steadyStatuses = new ArrayList<>();
        CompletableFuture<Void> steady = CompletableFuture.runAsync(() -> {
            while (loading.get()) {
                int status = TestRig.post("v1/chat/completions", key, chat("fake-gpt", false, null, "steady")).statusCode();
                synchronized (steadyStatuses) {
                    steadyStatuses.add(status);
                }
                steadyCalls.incrementAndGet();
            }
        });
        TestRig.await(() -> TestRig.get("_qs/health", null).body().contains("\"open_streams\":20"), "20 open streams");

        // the file changes by hand: a new provider credential and a new client key; the watch applies it
        String edited = original.replace("api-keys:\n", "api-keys:\n  - " + NEW_CLIENT_KEY + "\n")
                .replace("openai-compatibility:\n", "openai-compatibility:\n" + fresh());
        Files.writeString(file, edited);
        TestRig.await(() -> TestRig.get("v1/models", key).body().contains("\"fresh-model\""), "the reloaded model list");
        HttpResponse<String> viaNew = TestRig.post("v1/chat/completions", NEW_CLIENT_KEY, chat("fresh-model", false, null, "hi"));
        assertEquals(200, viaNew.statusCode(), viaNew.body());
        assertEquals("fresh", TestRig.awaitRecords(NEW_CLIENT_KEY, 1).get(0).get("provider"));
        assertEquals("unchanged", json(TestRig.admin("POST", "admin/config/reload", null).body()).getString("result"));

        loading.set(false);
        steady.get();
        int completed = 0;
        for (CompletableFuture<HttpResponse<String>> s : streams) {
            HttpResponse<String> r = s.get();
            assertEquals(200, r.statusCode());
            List<String> data = dataLines(r.body());
            assertEquals("[DONE]", data.get(data.size() - 1), "every stream runs to its end across the reload");
            completed++;
        }
        assertEquals(20, completed);
        synchronized (steadyStatuses) {
            assertTrue(steadyStatuses.stream().allMatch(st -> st == 200), "no call failed across the reload: " + steadyStatuses);
        }
        List<Map<String, Object>> records = awaitRecords(key, 20 + steadyCalls.get());
        assertEquals(20 + steadyCalls.get(), records.size(), "one record per call, none lost, none doubled");
        Set<Object> ids = new HashSet<>();
        records.forEach(r -> ids.add(r.get("id")));
        assertEquals(records.size(), ids.size());
        assertEquals(20, records.stream().filter(r -> "fake-slow".equals(r.get("model")) && ((Number) r.get("status")).intValue() == 200)
                .count());
    }

    @Test
    void aBadFileIsRefusedWithItsLineAndTheRunningConfigKeepsServing() throws Exception {
        Path file = TestRig.configFile(NAME);
        String good = Files.readString(file);
        String key = newKey();
        try {
            Files.writeString(file, good + "routing:\n  strategy: fastest-first\n");
            HttpResponse<String> refused = TestRig.admin("POST", "admin/config/reload", null);
            assertEquals(422, refused.statusCode(), refused.body());
            JsonObject body = json(refused.body());
            String error = body.getString("error");
            int line = (int) good.lines().count() + 2;
            assertTrue(error.contains("'routing.strategy' (line " + line + ")") && error.contains("fastest-first"), error);
            JsonObject health = json(TestRig.get("_qs/health", null).body()).getJsonObject("config");
            assertEquals(error, health.getJsonObject("last_error").getString("message"));
            assertEquals(200, TestRig.post("v1/chat/completions", key, chat("fake-gpt", false, null, "still here")).statusCode());
            // the seed systems' load balancers probe /health: same answer
            assertEquals(health.getString("hash"), json(TestRig.get("health", null).body()).getJsonObject("config").getString("hash"));
        } finally {
            Files.writeString(file, good);
        }
        HttpResponse<String> back = TestRig.admin("POST", "admin/config/reload", null);
        assertTrue(back.body().contains("\"last_error\":null"), back.body());
    }

    @Test
    void anOperatorAddsChangesAndRemovesACredentialThroughTheAdminApi() {
        String key = newKey();
        HttpResponse<String> added = TestRig.admin("POST", "admin/providers", "{\"format\":\"openai\",\"name\":\"added\","
                + "\"base-url\":\"" + TestRig.fake().baseUrl() + "\",\"api-key\":\"sk-added-upstream\","
                + "\"models\":[{\"id\":\"fake-gpt\",\"alias\":\"added-model\"}]}");
        assertEquals(201, added.statusCode(), added.body());
        assertTrue(!added.body().contains("sk-added-upstream"), "the key is never shown: " + added.body());
        String id = json(added.body()).getString("id");
        HttpResponse<String> call = TestRig.post("v1/chat/completions", key, chat("added-model", false, null, "hi"));
        assertEquals(200, call.statusCode(), call.body());
        Map<String, Object> record = awaitRecords(key, 1).get(0);
        assertEquals("added", record.get("provider"));
        assertEquals("added#" + id, record.get("credential"));

        String listed = TestRig.admin("GET", "admin/providers", null).body();
        assertTrue(listed.contains("\"id\":\"" + id + "\"") && listed.contains("\"source\":\"file\""), listed);
        assertEquals(409, TestRig.admin("PUT", "admin/providers/openai%231", "{\"weight\":2}").statusCode(),
                "a file credential is changed in the file");
        HttpResponse<String> bad = TestRig.admin("PUT", "admin/providers/" + id, "{\"base-url\":\"ftp://x\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("base-url must be an http(s) URL"), bad.body());

        assertEquals(200, TestRig.admin("PUT", "admin/providers/" + id, "{\"disabled\":true}").statusCode());
        assertEquals(404, TestRig.post("v1/chat/completions", key, chat("added-model", false, null, "hi")).statusCode(),
                "a disabled credential serves nothing");
        assertEquals(204, TestRig.admin("DELETE", "admin/providers/" + id, null).statusCode());
        assertEquals(404, TestRig.admin("DELETE", "admin/providers/" + id, null).statusCode());
    }
}
