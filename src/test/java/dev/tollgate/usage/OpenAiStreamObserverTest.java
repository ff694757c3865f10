package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.json.Jsons;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiStreamObserverTest {
    private static final String CONTENT = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello world\"}}]}";
    private static final String USAGE = "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
            + "\"completion_tokens\":7,\"total_tokens\":18,\"prompt_tokens_details\":{\"cached_tokens\":4},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":2}}}";

    private static byte[] raw(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsUsageAndHidesTheChunkTheClientDidNotAskFor() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 99);
        assertArrayEquals(raw(CONTENT), o.onEvent(raw(CONTENT), CONTENT));
        assertNull(o.onEvent(raw(USAGE), USAGE), "the gateway's own usage request stays hidden");
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(new TokenUsage(11, 7, 18, 4, 2), o.usage());
        assertEquals(UsageQuality.REPORTED, o.quality());
        assertEquals("chatcmpl-1", o.responseId().orElseThrow());
    }

    @Test
    void reportedUsageNeverAsksForThePromptEstimate() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> {
            throw new AssertionError("the prompt was tokenized although the upstream reported usage");
        });
        o.onEvent(raw(CONTENT), CONTENT);
        o.onEvent(raw(USAGE), USAGE);
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(18, o.usage().total());
    }

    @Test
    void withoutReportedUsageThePromptIsTokenized() {
        JsonObject body = Jsons.JSON.createObjectBuilder().add("messages",
                Jsons.JSON.createArrayBuilder().add(Jsons.JSON.createObjectBuilder()
                        .add("role", "user").add("content", "Hello there, how are you today?"))).build();
        PromptEstimate estimate = new PromptEstimate(body);
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, estimate);
        o.onEvent(raw(CONTENT), CONTENT);
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(TokenEstimator.prompt(body), o.usage().prompt(), "no usage came: the estimate is used");
        assertEquals(UsageQuality.ESTIMATED, o.quality());
        assertEquals(o.usage().prompt(), estimate.getAsLong());
    }

    @Test
    void usageUnderAnEscapedKeyIsStillCountedAtTheEnd() {
        String escaped = USAGE.replace("\"usage\"", "\"\\u0075sage\"");
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 99);
        o.onEvent(raw(CONTENT), CONTENT);
        assertArrayEquals(raw(escaped), o.onEvent(raw(escaped), escaped), "not recognised as it passes");
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(UsageQuality.REPORTED, o.quality(), "the kept chunks are read before the quality is told");
        assertEquals(new TokenUsage(11, 7, 18, 4, 2), o.usage());
    }

    @Test
    void passesTheUsageChunkToAClientThatAskedForIt() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(true, () -> 99);
        assertArrayEquals(raw(USAGE), o.onEvent(raw(USAGE), USAGE));
        assertEquals(18, o.usage().total());
    }

    @Test
    void usageOnAContentChunkKeepsTheContent() {
        String both = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 0);
        String out = new String(o.onEvent(raw(both), both), StandardCharsets.UTF_8);
        assertTrue(out.contains("\"content\":\"hi\""), out);
        assertFalse(out.contains("usage"), out);
        assertEquals(2, o.usage().total());
    }

    @Test
    void cumulativeUsageTakesTheLast() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(true, () -> 0);
        String first = "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        String last = "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}";
        o.onEvent(raw(first), first);
        o.onEvent(raw(last), last);
        assertEquals(9, o.usage().completion());
    }

    @Test
    void noUsageButDoneIsEstimatedWithTheTokenizer() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 12);
        o.onEvent(raw(CONTENT), CONTENT);
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(UsageQuality.ESTIMATED, o.quality());
        assertEquals(12, o.usage().prompt());
        assertEquals(TokenEstimator.count("Hello world"), o.usage().completion());
        assertEquals(2, o.usage().completion());
    }

    @Test
    void cutStreamIsPartial() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 12);
        o.onEvent(raw(CONTENT), CONTENT);
        assertEquals(UsageQuality.PARTIAL, o.quality());
        assertEquals(14, o.usage().total());
    }

    @Test
    void commentsAndForeignDataPassUntouched() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 0);
        byte[] comment = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(comment, o.onEvent(comment, null));
        assertArrayEquals(raw("not json"), o.onEvent(raw("not json"), "not json"));
    }

    @Test
    void errorInsideTheStreamIsNoted() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 0);
        String err = "{\"error\":{\"message\":\"overloaded\"}}";
        o.onEvent(raw(err), err);
        assertEquals("overloaded", o.error().orElseThrow());
    }

    @Test
    void contentChunksParsedLaterStillGiveTheWholeTextInOrder() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> 5);
        StringBuilder sent = new StringBuilder();
        int chunks = OpenAiStreamObserver.PENDING_CHARS / 40; // enough to overflow the unparsed batch
        for (int i = 0; i < chunks; i++) {
            String word = " w" + i;
            sent.append(word);
            String chunk = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word
                    + "\"}}],\"usage\": null}";
            assertArrayEquals(raw(chunk), o.onEvent(raw(chunk), chunk), "content passes on byte for byte");
        }
        o.onEvent(raw("[DONE]"), "[DONE]");
        assertEquals(UsageQuality.ESTIMATED, o.quality());
        assertEquals(TokenEstimator.count(sent.toString()), o.usage().completion());
        assertEquals("c", o.responseId().orElseThrow());
    }

    @Test
    void usageAfterManyContentChunksIsReadAndHidden() {
        OpenAiStreamObserver o = new OpenAiStreamObserver(false, () -> {
            throw new AssertionError("estimated although usage came");
        });
        for (int i = 0; i < 50; i++) {
            o.onEvent(raw(CONTENT), CONTENT);
        }
        assertNull(o.onEvent(raw(USAGE), USAGE));
        String err = "{\"id\":\"x\",\"error\" : {\"message\":\"late failure\"}}";
        o.onEvent(raw(err), err);
        assertEquals(new TokenUsage(11, 7, 18, 4, 2), o.usage());
        assertEquals("late failure", o.error().orElseThrow());
    }

    @Test
    void onlyANonNullUsageOrErrorKeyCounts() {
        assertTrue(OpenAiStreamObserver.names("{\"usage\":{\"total_tokens\":1}}", "\"usage\""));
        assertTrue(OpenAiStreamObserver.names("{\"usage\" :\n {}}", "\"usage\""));
        assertFalse(OpenAiStreamObserver.names("{\"usage\": null}", "\"usage\""));
        assertFalse(OpenAiStreamObserver.names("{\"content\":\"the \\\"usage\\\" word\"}", "\"usage\""),
                "a quoted word inside text is escaped, so never a key");
        assertFalse(OpenAiStreamObserver.names("{\"content\":\"no usage here\"}", "\"usage\""));
    }
}
