package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslationTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    @Test
    void anOpenAiChatBecomesAnAnthropicRequest() {
        JsonObject openAi = json("{'model':'gpt-x','temperature':0.2,'max_tokens':300,'stop':'END','tool_choice':'required',"
                + "'messages':[{'role':'system','content':'Be brief.'},"
                + "{'role':'user','content':[{'type':'text','text':'What is this?'},"
                + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBOR'}}]},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_1','type':'function',"
                + "'function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}}]},"
                + "{'role':'tool','tool_call_id':'call_1','content':'18C'}],"
                + "'tools':[{'type':'function','function':{'name':'get_weather','description':'Weather now',"
                + "'parameters':{'type':'object','properties':{'city':{'type':'string'}}}}}]}");
        JsonObject a = AnthropicMessages.INSTANCE.encodeRequest(OpenAiChat.INSTANCE.decodeRequest(openAi), "claude-x");

        assertEquals("claude-x", a.getString("model"));
        assertEquals("Be brief.", a.getString("system"));
        assertEquals(300, a.getInt("max_tokens"));
        assertEquals("0.2", a.getJsonNumber("temperature").toString(), "the client's number, not a re-rounded double");
        assertEquals("END", a.getJsonArray("stop_sequences").getString(0));
        assertEquals("any", a.getJsonObject("tool_choice").getString("type"));
        JsonArray messages = a.getJsonArray("messages");
        assertEquals(3, messages.size());
        JsonObject image = messages.getJsonObject(0).getJsonArray("content").getJsonObject(1);
        assertEquals("base64", image.getJsonObject("source").getString("type"));
        assertEquals("image/png", image.getJsonObject("source").getString("media_type"));
        assertEquals("iVBOR", image.getJsonObject("source").getString("data"));
        JsonObject toolUse = messages.getJsonObject(1).getJsonArray("content").getJsonObject(0);
        assertEquals("tool_use", toolUse.getString("type"));
        assertEquals("Paris", toolUse.getJsonObject("input").getString("city"));
        JsonObject result = messages.getJsonObject(2).getJsonArray("content").getJsonObject(0);
        assertEquals("user", messages.getJsonObject(2).getString("role"));
        assertEquals("tool_result", result.getString("type"));
        assertEquals("call_1", result.getString("tool_use_id"));
        assertEquals("18C", result.getString("content"));
        JsonObject tool = a.getJsonArray("tools").getJsonObject(0);
        assertEquals("object", tool.getJsonObject("input_schema").getString("type"));
        assertEquals("Weather now", tool.getString("description"));
        assertFalse(a.containsKey("stream"));
    }

    @Test
    void anAnthropicRequestBecomesAnOpenAiChat() {
        JsonObject anthropic = json("{'model':'claude-x','max_tokens':100,'stream':true,"
                + "'system':[{'type':'text','text':'Rule one.'},{'type':'text','text':'Rule two.'}],"
                + "'tool_choice':{'type':'tool','name':'lookup'},"
                + "'messages':[{'role':'user','content':[{'type':'image','source':{'type':'url','url':'https://x/y.png'}},"
                + "{'type':'text','text':'Describe'}]},"
                + "{'role':'assistant','content':[{'type':'thinking','thinking':'hmm','signature':'s'},"
                + "{'type':'tool_use','id':'toolu_1','name':'lookup','input':{'q':1}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':[{'type':'text','text':'ok'}]}]}],"
                + "'tools':[{'name':'lookup','input_schema':{'type':'object'}},{'type':'web_search_20250305','name':'web'}]}");
        JsonObject o = OpenAiChat.INSTANCE.encodeRequest(AnthropicMessages.INSTANCE.decodeRequest(anthropic), "gpt-x");

        JsonArray messages = o.getJsonArray("messages");
        assertEquals("system", messages.getJsonObject(0).getString("role"));
        assertEquals("Rule one.\n\nRule two.", messages.getJsonObject(0).getString("content"));
        assertEquals("https://x/y.png", messages.getJsonObject(1).getJsonArray("content").getJsonObject(0)
                .getJsonObject("image_url").getString("url"));
        JsonObject call = messages.getJsonObject(2).getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("toolu_1", call.getString("id"));
        assertEquals("{\"q\":1}", call.getJsonObject("function").getString("arguments"));
        assertEquals("tool", messages.getJsonObject(3).getString("role"));
        assertEquals("ok", messages.getJsonObject(3).getString("content"));
        assertEquals(1, o.getJsonArray("tools").size(), "the server tool has no OpenAI form: dropped");
        assertEquals("lookup", o.getJsonObject("tool_choice").getJsonObject("function").getString("name"));
        assertEquals(100, o.getInt("max_completion_tokens"));
        assertTrue(o.getJsonObject("stream_options").getBoolean("include_usage"), "so the gateway can count");
    }

    @Test
    void responsesCarryTheirUsageAcrossInTheClientsTerms() {
        JsonObject anthropic = json("{'id':'msg_1','type':'message','role':'assistant','model':'claude-x',"
                + "'content':[{'type':'text','text':'Let me check.'},{'type':'tool_use','id':'toolu_9','name':'f','input':{'a':2}}],"
                + "'stop_reason':'tool_use','usage':{'input_tokens':10,'output_tokens':20,'cache_read_input_tokens':30,"
                + "'cache_creation_input_tokens':40,'cache_creation':{'ephemeral_5m_input_tokens':15,'ephemeral_1h_input_tokens':25}}}");
        Chat.Response r = AnthropicMessages.INSTANCE.decodeResponse(anthropic);
        assertEquals(new TokenUsage(80, 20, 100, 30, 0, 15, 25), r.usage(), "prompt = input + reads + writes");
        JsonObject o = OpenAiChat.INSTANCE.encodeResponse(r, "asked-name");
        assertEquals("asked-name", o.getString("model"));
        JsonObject choice = o.getJsonArray("choices").getJsonObject(0);
        assertEquals("tool_calls", choice.getString("finish_reason"));
        assertEquals("Let me check.", choice.getJsonObject("message").getString("content"));
        assertEquals("f", choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0)
                .getJsonObject("function").getString("name"));
        assertEquals(80, o.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(30, o.getJsonObject("usage").getJsonObject("prompt_tokens_details").getInt("cached_tokens"));

        JsonObject back = AnthropicMessages.INSTANCE.encodeResponse(r, "claude-x");
        assertEquals(10, back.getJsonObject("usage").getInt("input_tokens"), "reads and writes left out again");
        assertEquals(40, back.getJsonObject("usage").getInt("cache_creation_input_tokens"));
        assertEquals("tool_use", back.getString("stop_reason"));
    }

    @Test
    void anOpenAiStreamBecomesAnthropicEventsWithTheFinalUsage() {
        ChatCodec.StreamEncoder encoder = AnthropicMessages.INSTANCE.streamEncoder(
                AnthropicMessages.INSTANCE.decodeRequest(json("{'model':'asked','max_tokens':5,'messages':[]}")),
                JsonObject.EMPTY_JSON_OBJECT);
        TranslatedStream stream = new TranslatedStream(OpenAiChat.INSTANCE.streamDecoder(() -> 7), encoder);
        List<String> chunks = List.of(
                "{'id':'c1','model':'gpt','choices':[{'index':0,'delta':{'role':'assistant','content':'Hi'},'finish_reason':null}]}",
                "{'id':'c1','choices':[{'index':0,'delta':{'content':' there'},'finish_reason':null}]}",
                "{'id':'c1','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_7','type':'function',"
                        + "'function':{'name':'f','arguments':''}}]},'finish_reason':null}]}",
                "{'id':'c1','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\'a\\':'}}]}}]}",
                "{'id':'c1','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'1}'}}]}}]}",
                "{'id':'c1','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}",
                "{'id':'c1','choices':[],'usage':{'prompt_tokens':12,'completion_tokens':9,'total_tokens':21}}");
        StringBuilder out = new StringBuilder();
        for (String c : chunks) {
            append(out, stream.onEvent(null, c.replace('\'', '"')));
        }
        assertFalse(stream.done());
        append(out, stream.onEvent(null, "[DONE]"));
        assertTrue(stream.done());

        List<JsonObject> events = events(out.toString());
        List<String> types = events.stream().map(e -> e.getString("type")).toList();
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"), types);
        assertEquals("asked", events.get(0).getJsonObject("message").getString("model"));
        assertEquals("call_7", events.get(5).getJsonObject("content_block").getString("id"));
        assertEquals(1, events.get(6).getInt("index"));
        assertEquals("{\"a\":", events.get(6).getJsonObject("delta").getString("partial_json"));
        JsonObject delta = events.get(9);
        assertEquals("tool_use", delta.getJsonObject("delta").getString("stop_reason"));
        assertEquals(9, delta.getJsonObject("usage").getInt("output_tokens"));
        assertEquals(12, delta.getJsonObject("usage").getInt("input_tokens"));
        assertEquals(new TokenUsage(12, 9, 21, 0, 0), stream.usage());
        assertEquals(UsageQuality.REPORTED, stream.quality());
    }

    @Test
    void anAnthropicStreamBecomesOpenAiChunksAndShowsUsageOnlyWhenAsked() {
        String[] events = {
            "{'type':'message_start','message':{'id':'msg_5','model':'claude','usage':{'input_tokens':11,'output_tokens':1,"
                    + "'cache_read_input_tokens':4}}}",
            "{'type':'ping'}",
            "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}",
            "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Bonjour'}}",
            "{'type':'content_block_stop','index':0}",
            "{'type':'message_delta','delta':{'stop_reason':'max_tokens'},'usage':{'output_tokens':6}}",
            "{'type':'message_stop'}"};
        for (boolean asked : new boolean[] {true, false}) {
            JsonObject body = json("{'model':'mine','messages':[],'stream':true" + (asked
                    ? ",'stream_options':{'include_usage':true}}" : "}"));
            TranslatedStream stream = new TranslatedStream(AnthropicMessages.INSTANCE.streamDecoder(() -> 3),
                    OpenAiChat.INSTANCE.streamEncoder(OpenAiChat.INSTANCE.decodeRequest(body), body));
            StringBuilder out = new StringBuilder();
            for (String e : events) {
                append(out, stream.onEvent(null, e.replace('\'', '"')));
            }
            String sse = out.toString();
            assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
            assertTrue(sse.contains("\"content\":\"Bonjour\""));
            assertTrue(sse.contains("\"finish_reason\":\"length\""));
            assertTrue(sse.contains("\"model\":\"mine\""));
            assertEquals(asked, sse.contains("\"usage\""), sse);
            assertEquals(new TokenUsage(15, 6, 21, 4, 0), stream.usage(), "input from the start, output from the delta");
            assertEquals("msg_5", stream.responseId().orElseThrow());
        }
    }

    @Test
    void aStreamCutShortIsPartialAndAnUpstreamErrorReachesTheClientInItsFormat() {
        TranslatedStream cut = new TranslatedStream(AnthropicMessages.INSTANCE.streamDecoder(() -> 3),
                OpenAiChat.INSTANCE.streamEncoder(OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m','messages':[]}")),
                        JsonObject.EMPTY_JSON_OBJECT));
        cut.onEvent(null, "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}}}");
        cut.onEvent(null, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"one two three\"}}");
        assertEquals(UsageQuality.PARTIAL, cut.quality());
        assertEquals(11, cut.usage().prompt());
        assertEquals(3, cut.usage().completion(), "the text seen, counted");
        byte[] error = cut.onEvent(null, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        String sse = new String(error, StandardCharsets.UTF_8);
        assertTrue(sse.startsWith("data: {\"error\":{\"message\":\"Overloaded\""), sse);
        assertEquals("Overloaded", cut.error().orElseThrow());
    }

    @Test
    void whatCannotBeCarriedIsRefusedWithTheFieldNamed() {
        TranslationException e = assertThrows(TranslationException.class, () -> AnthropicMessages.INSTANCE.decodeRequest(
                json("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':[{'type':'document','source':{}}]}]}")));
        assertTrue(e.getMessage().contains("document"));
        assertThrows(TranslationException.class, () -> OpenAiChat.INSTANCE.decodeRequest(
                json("{'model':'m','messages':[{'role':'user','content':5}]}")));
        assertThrows(TranslationException.class, () -> OpenAiChat.INSTANCE.decodeRequest(
                json("{'model':'m','messages':[{'role':'wizard','content':'x'}]}")));
        assertNull(OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m','messages':[]}")).system());
    }

    private static void append(StringBuilder out, byte[] bytes) {
        if (bytes != null) {
            out.append(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static List<JsonObject> events(String sse) {
        List<JsonObject> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(json(line.substring(6).replace('"', '\'')));
            }
        }
        return out;
    }
}
