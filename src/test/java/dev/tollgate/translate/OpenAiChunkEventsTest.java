package dev.tollgate.translate;

import static dev.tollgate.translate.GeneratedJson.maybe;
import static dev.tollgate.translate.GeneratedJson.object;
import static dev.tollgate.translate.GeneratedJson.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An OpenAI chat stream read back for the request log (each chunk's events straight from its text)
 * says what the translated path's decoder says (each chunk parsed whole, then read): the same events
 * in the same order, the same error, whatever order the chunk's keys come in.
 */
class OpenAiChunkEventsTest {
    private static final ChatCodec CODEC = OpenAiChat.INSTANCE;

    @Test
    void aChunksEventsComeInTheOrderOfItsMeaningNotOfItsKeys() {
        ChatCodec.StreamDecoder reread = CODEC.transcriptDecoder();
        List<Chat.Event> events = reread.decode("{\"choices\":[{\"finish_reason\":\"tool_calls\",\"delta\":{"
                + "\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"a\\\":1}\",\"name\":\"f\"},\"id\":\"c1\",\"index\":2}],"
                + "\"content\":\"hi\",\"reasoning_content\":\"hm\"}}],\"model\":\"m\",\"id\":\"x\"}");
        assertEquals(List.of(new Chat.Started("x", "m"), new Chat.ReasoningDelta("hm"), new Chat.TextDelta("hi"),
                new Chat.ToolStarted(2, "c1", "f"), new Chat.ToolArguments(2, "{\"a\":1}"),
                new Chat.Stopped(Chat.Stop.TOOL_USE)), events);
        assertEquals(List.of(new Chat.ToolArguments(2, "more")),
                reread.decode("{\"id\":\"x\",\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\"more\"}}]}}]}"),
                "the stream started and the call was named once: only the new arguments");
        assertEquals("x", reread.id());
        assertNull(reread.error());
        assertEquals(List.of(), reread.decode("{\"error\":{\"code\":1,\"message\":\"overloaded\"}}"));
        assertEquals("overloaded", reread.error());
        assertEquals(List.of(), reread.decode("[DONE]"));
        assertTrue(reread.done());
    }

    @Test
    void whatIsNotAChunkIsNoEventAndABrokenToolListIsRefusedAsTheDecoderRefusesIt() {
        ChatCodec.StreamDecoder reread = CODEC.transcriptDecoder();
        assertEquals(List.of(), reread.decode("{\"choices\":[{\"delta\":{\"content\":\"cut"));
        assertEquals(List.of(), reread.decode("[1,2]"));
        assertEquals(List.of(), reread.decode("not json"));
        assertEquals(List.of(), reread.decode("{\"choices\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"),
                "nesting past the bounds: no events, and no deep stack");
        assertEquals(List.of(), reread.decode("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} {\"more\":1}"),
                "two documents in one event are not a chunk: the scan refuses them before the parser reads the first");
        assertEquals(List.of(new Chat.TextDelta("ok")),
                reread.decode("{\"x\":" + "[".repeat(400) + "]".repeat(400) + ",\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}"),
                "within the bounds, what it does not read is skipped");
        String broken = "{\"choices\":[{\"delta\":{\"tool_calls\":{\"index\":0}}}]}";
        assertThrows(TranslationException.class, () -> reread.decode(broken));
        assertThrows(TranslationException.class, () -> CODEC.streamDecoder(() -> 0).decode(broken));
    }

    /** Chunks made of every field the reading knows and some it does not, each valid or not, keys in any order. */
    @Test
    void generatedStreamsAreReadBackAsTheDecoderReadsThem() {
        GeneratedJson.assertReadBackAsDecoded(CODEC, OpenAiChunkEventsTest::chunk, 6);
    }

    private static String chunk(Random r) {
        List<String> fields = new ArrayList<>();
        maybe(r, fields, "\"id\":" + pick(r, "\"chatcmpl-1\"", "7", "null", "{\"x\":1}"));
        maybe(r, fields, "\"model\":" + pick(r, "\"gpt-x\"", "[1]", "null"));
        maybe(r, fields, "\"object\":\"chat.completion.chunk\"");
        maybe(r, fields, "\"created\":1733380000");
        maybe(r, fields, "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}");
        maybe(r, fields, "\"error\":" + pick(r, "{\"message\":\"boom\"}", "{\"message\":5}", "\"boom\"", "{}"));
        if (r.nextInt(4) > 0) {
            List<String> choices = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                choices.add(r.nextInt(8) == 0 ? pick(r, "1", "null", "[]") : choice(r));
            }
            fields.add("\"choices\":" + (r.nextInt(10) == 0 ? "{}" : "[" + String.join(",", choices) + "]"));
        }
        return object(r, fields);
    }

    private static String choice(Random r) {
        List<String> fields = new ArrayList<>();
        maybe(r, fields, "\"index\":0");
        maybe(r, fields, "\"finish_reason\":" + pick(r, "\"stop\"", "\"length\"", "\"tool_calls\"", "null", "3"));
        maybe(r, fields, "\"logprobs\":{\"content\":[{\"token\":\"a\"}]}");
        if (r.nextBoolean()) {
            List<String> delta = new ArrayList<>();
            maybe(r, delta, "\"role\":\"assistant\"");
            maybe(r, delta, "\"content\":" + pick(r, "\"word\"", "\"\"", "null", "\"\\u00e9\\n\\\"q\\\"\""));
            maybe(r, delta, "\"reasoning_content\":" + pick(r, "\"think\"", "\"\"", "false"));
            if (r.nextInt(3) == 0) {
                delta.add("\"tool_calls\":" + (r.nextInt(12) == 0 ? pick(r, "null", "{}", "[1]") : "[" + toolCall(r) + "]"));
            }
            fields.add("\"delta\":" + (r.nextInt(12) == 0 ? "\"text\"" : object(r, delta)));
        }
        return object(r, fields);
    }

    private static String toolCall(Random r) {
        List<String> fields = new ArrayList<>();
        maybe(r, fields, "\"index\":" + pick(r, "0", "1", "\"1\"", "2.0"));
        maybe(r, fields, "\"id\":" + pick(r, "\"call_a\"", "5"));
        maybe(r, fields, "\"type\":\"function\"");
        if (r.nextBoolean()) {
            List<String> f = new ArrayList<>();
            maybe(r, f, "\"name\":" + pick(r, "\"lookup\"", "null"));
            maybe(r, f, "\"arguments\":" + pick(r, "\"{\\\"q\\\":\"", "\"1}\"", "\"\"", "{}"));
            fields.add("\"function\":" + (r.nextInt(10) == 0 ? "[]" : object(r, f)));
        }
        return object(r, fields);
    }
}
