package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.upstream.mock.MockUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
    private static JsonObject json(String s) {
        return Json.createReader(new StringReader(s)).readObject();
    }

    @Test
    void chatPromptAddsOpenAiFraming() {
        JsonObject chat = json("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello world\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello world\"}]}]}");
        // 2 tokens per "Hello world", 3 per message, 3 to prime the reply
        assertEquals(2 + 2 + 3 + 3 + 3, TokenEstimator.prompt(chat));
    }

    @Test
    void completionAndEmbeddingInputs() {
        assertEquals(2, TokenEstimator.prompt(json("{\"prompt\":\"Hello world\"}")));
        assertEquals(4, TokenEstimator.prompt(json("{\"input\":[\"Hello world\",\"Hello world\"]}")));
    }

    @Test
    void mockTextOfNTokensIsNTokens() {
        for (int n : new int[] {1, 5, 24, 31, 100}) {
            assertEquals(n, TokenEstimator.count(MockUpstream.text(n)), "mock text of " + n + " tokens");
        }
    }
}
