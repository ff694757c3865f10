package dev.tollgate.translate;

import static dev.tollgate.translate.GeneratedJson.maybe;
import static dev.tollgate.translate.GeneratedJson.object;
import static dev.tollgate.translate.GeneratedJson.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An Anthropic stream read back for the request log (each event read straight from its text) says
 * what the translated path's decoder says (each event parsed whole, then read): the same events,
 * the same error, whatever order an event's fields come in.
 */
class AnthropicEventsTest {
    private static final ChatCodec CODEC = AnthropicMessages.INSTANCE;

    @Test
    void anEventMeansWhatItsTypeSaysWhereverTheTypeStands() {
        ChatCodec.StreamDecoder reread = CODEC.transcriptDecoder();
        assertEquals(List.of(new Chat.Started("msg_1", "claude-x")),
                reread.decode("{\"message\":{\"model\":\"claude-x\",\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}},\"type\":\"message_start\"}"));
        assertEquals(List.of(new Chat.ToolStarted(0, "toolu_1", "lookup")),
                reread.decode("{\"content_block\":{\"name\":\"lookup\",\"input\":{},\"id\":\"toolu_1\",\"type\":\"tool_use\"},\"index\":1,\"type\":\"content_block_start\"}"));
        assertEquals(List.of(new Chat.ToolArguments(0, "{\"q\":")),
                reread.decode("{\"delta\":{\"partial_json\":\"{\\\"q\\\":\",\"type\":\"input_json_delta\"},\"index\":1,\"type\":\"content_block_delta\"}"));
        assertEquals(List.of(), reread.decode("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"x\"}}"),
                "arguments of a block that started no tool are nobody's");
        assertEquals(List.of(new Chat.ReasoningSigned("opaque", true, Chat.Origin.ANTHROPIC)),
                reread.decode("{\"content_block\":{\"data\":\"opaque\",\"type\":\"redacted_thinking\"},\"index\":2,\"type\":\"content_block_start\"}"));
        assertEquals(List.of(new Chat.ReasoningDelta("hm")),
                reread.decode("{\"delta\":{\"thinking\":\"hm\",\"type\":\"thinking_delta\"},\"index\":3,\"type\":\"content_block_delta\"}"));
        assertEquals(List.of(new Chat.ReasoningSigned("sig", false, Chat.Origin.ANTHROPIC)),
                reread.decode("{\"delta\":{\"signature\":\"sig\",\"type\":\"signature_delta\"},\"index\":3,\"type\":\"content_block_delta\"}"));
        assertEquals(List.of(new Chat.TextDelta("Hi")),
                reread.decode("{\"delta\":{\"text\":\"Hi\",\"type\":\"text_delta\"},\"type\":\"content_block_delta\",\"index\":4}"));
        assertEquals(List.of(new Chat.Stopped(Chat.Stop.TOOL_USE)),
                reread.decode("{\"usage\":{\"output_tokens\":9},\"delta\":{\"stop_reason\":\"tool_use\"},\"type\":\"message_delta\"}"));
        assertFalse(reread.done());
        assertNull(reread.error());
        assertEquals(List.of(), reread.decode("{\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"type\":\"error\"}"));
        assertEquals("Overloaded", reread.error());
        assertEquals(List.of(), reread.decode("{\"type\":\"message_stop\"}"));
        assertTrue(reread.done());
        assertEquals("msg_1", reread.id());
    }

    /** Events of every type the reading knows and some it does not, fields valid or not, in any order. */
    @Test
    void generatedStreamsAreReadBackAsTheDecoderReadsThem() {
        GeneratedJson.assertReadBackAsDecoded(CODEC, AnthropicEventsTest::event, 8);
    }

    private static String event(Random r) {
        List<String> fields = new ArrayList<>();
        fields.add("\"type\":" + pick(r, "\"message_start\"", "\"content_block_start\"", "\"content_block_delta\"",
                "\"message_delta\"", "\"message_stop\"", "\"error\"", "\"ping\"", "\"content_block_stop\"", "7"));
        maybe(r, fields, "\"index\":" + pick(r, "0", "1", "2", "\"1\"", "1.0"));
        maybe(r, fields, "\"message\":" + pick(r, "{\"id\":\"msg_1\",\"model\":\"m\",\"content\":[]}", "{\"id\":5}", "[]"));
        maybe(r, fields, "\"content_block\":" + pick(r, "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}",
                "{\"type\":\"redacted_thinking\",\"data\":\"abc\"}", "{\"type\":\"text\",\"text\":\"\"}",
                "{\"name\":\"f\",\"type\":\"tool_use\"}", "\"tool_use\""));
        maybe(r, fields, "\"delta\":" + pick(r, "{\"type\":\"text_delta\",\"text\":\"hi \\u00e9\"}",
                "{\"text\":\"t\",\"type\":\"thinking_delta\",\"thinking\":\"hm\"}", "{\"type\":\"signature_delta\",\"signature\":\"sig\"}",
                "{\"partial_json\":\"{\\\"a\\\":\",\"type\":\"input_json_delta\"}", "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}",
                "{\"stop_reason\":\"max_tokens\"}", "{\"stop_reason\":null}", "{\"type\":\"text_delta\"}", "[1]"));
        maybe(r, fields, "\"error\":" + pick(r, "{\"message\":\"Overloaded\"}", "{\"message\":3}", "\"x\""));
        maybe(r, fields, "\"usage\":{\"output_tokens\":4}");
        return object(r, fields);
    }
}
