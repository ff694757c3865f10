package dev.tollgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.api.openai.OpenAiErrors;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.GeminiContent;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.usage.AnthropicStreamObserver;
import dev.tollgate.usage.GeminiStreamObserver;
import dev.tollgate.usage.OpenAiStreamObserver;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A client sees one error shape per dialect, whoever writes it: the gateway refusing at the door,
 * a translated upstream error, or the event that ends a stream early (they had drifted apart:
 * {@code upstream_unavailable}, {@code upstream_error} with a null code, and a third form).
 */
class ErrorShapesTest {
    private static final String MESSAGE = "The upstream could not be reached.";

    private static JsonObject body(byte[] bytes) {
        return Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8))).readObject();
    }

    /** The JSON of a stream's error event (its data line). */
    private static JsonObject event(byte[] sse) {
        String text = new String(sse, StandardCharsets.UTF_8);
        String data = text.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        return Json.createReader(new StringReader(data)).readObject();
    }

    @Test
    void openAisThreeWritersAgree() {
        for (int status : new int[] {502, 504}) {
            JsonObject refusal = body(OpenAiErrors.FORMAT.reply(status, MESSAGE).body());
            assertEquals(refusal, OpenAiChat.INSTANCE.error(status, MESSAGE));
            assertEquals(refusal, event(OpenAiStreamObserver.event(MESSAGE, status == 504)));
        }
        assertEquals("upstream_unavailable", body(OpenAiErrors.FORMAT.reply(502, MESSAGE).body())
                .getJsonObject("error").getString("code"));
    }

    @Test
    void anthropicsThreeWritersAgree() {
        for (int status : new int[] {502, 504}) {
            JsonObject refusal = body(CodecErrors.ANTHROPIC.reply(status, MESSAGE).body());
            assertEquals(refusal, AnthropicMessages.INSTANCE.error(status, MESSAGE));
            assertEquals(refusal, event(AnthropicStreamObserver.event(MESSAGE, status == 504)));
        }
        assertEquals("timeout_error", AnthropicMessages.INSTANCE.error(504, MESSAGE).getJsonObject("error")
                .getString("type"));
    }

    @Test
    void googlesThreeWritersAgree() {
        for (int status : new int[] {502, 504}) {
            JsonObject refusal = body(CodecErrors.GEMINI.reply(status, MESSAGE).body());
            assertEquals(refusal, GeminiContent.INSTANCE.error(status, MESSAGE));
            assertEquals(refusal, event(GeminiStreamObserver.event(status, MESSAGE)));
        }
        assertEquals("DEADLINE_EXCEEDED", GeminiContent.INSTANCE.error(504, MESSAGE).getJsonObject("error")
                .getString("status"));
    }
}
