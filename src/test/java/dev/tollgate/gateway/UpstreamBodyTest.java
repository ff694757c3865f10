package dev.tollgate.gateway;

import static dev.tollgate.json.Jsons.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What goes upstream for a same-format OpenAI call, byte for byte where nothing must change. */
class UpstreamBodyTest {
    private static ProxyCall call(String body, String model, boolean stream) {
        JsonObject json = JSON.createReader(new StringReader(body)).readObject();
        return new ProxyCall(Operation.CHAT_COMPLETIONS, null, model, stream, json,
                body.getBytes(StandardCharsets.UTF_8), Map.of(), List.of(), false);
    }

    private static JsonObject parse(byte[] bytes) {
        return JSON.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8))).readObject();
    }

    @Test
    void unchangedBodiesGoAsTheClientSentThem() {
        String body = "{ \"model\" : \"m\", \"messages\":[] }";
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), UpstreamBody.of(call(body, "m", false), "m").bytes());
    }

    @Test
    void aStreamAsksForUsageWithTheClientsOwnBytesAroundIt() {
        String body = "\n {\n  \"model\": \"m\",\n  \"stream\": true,\n  \"messages\": [{\"role\":\"user\",\"content\":\"h\\u00e9 {\"}]\n}";
        UpstreamBody up = UpstreamBody.of(call(body, "m", true), "m");
        JsonObject sent = parse(up.bytes());
        assertTrue(sent.getJsonObject("stream_options").getBoolean("include_usage"));
        assertEquals(parse(body.getBytes(StandardCharsets.UTF_8)), JSON.createObjectBuilder(sent).remove("stream_options").build());
        assertTrue(new String(up.bytes(), StandardCharsets.UTF_8).contains("\"h\\u00e9 {\""), "the rest is byte for byte");
        assertEquals(sent, up.json());
        assertEquals(false, up.clientWantsUsage());
        assertEquals("{\"stream_options\":{\"include_usage\":true}}",
                new String(UpstreamBody.withUsageOption("{ }".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)
                        .replace(" ", ""));
    }

    @Test
    void existingStreamOptionsAndRenamedModelsAreRewritten() {
        String body = "{\"model\":\"alias\",\"stream\":true,\"stream_options\":{\"x\":1},\"messages\":[]}";
        JsonObject sent = parse(UpstreamBody.of(call(body, "alias", true), "alias").bytes());
        assertEquals(1, sent.getJsonObject("stream_options").getInt("x"));
        assertTrue(sent.getJsonObject("stream_options").getBoolean("include_usage"));
        JsonObject renamed = parse(UpstreamBody.of(call(body, "alias", true), "real-model").bytes());
        assertEquals("real-model", renamed.getString("model"));
        assertEquals(1, renamed.getJsonObject("stream_options").getInt("x"));
    }

    /** Gemini's embedding bodies may name the model too: an alias there becomes the upstream's name, everywhere. */
    @Test
    void aGeminiEmbeddingBodyNamesTheUpstreamModel() {
        String same = "{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"model\":\"models/up\"}";
        assertArrayEquals(same.getBytes(StandardCharsets.UTF_8), UpstreamBody.gemini(call(same, "up", false), "up").bytes(),
                "already the upstream's name: the client's bytes");
        String batch = "{\"requests\":[{\"model\":\"models/alias\",\"content\":{}},{\"content\":{}}]}";
        JsonObject sent = parse(UpstreamBody.gemini(call(batch, "alias", false), "up").bytes());
        assertEquals("models/up", sent.getJsonArray("requests").getJsonObject(0).getString("model"));
        assertTrue(!sent.getJsonArray("requests").getJsonObject(1).containsKey("model"), "a request without a name gets none");
        String single = "{\"model\":\"models/alias\",\"content\":{}}";
        assertEquals("models/up", parse(UpstreamBody.gemini(call(single, "alias", false), "up").bytes()).getString("model"));
    }
}
