package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GeminiContentTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    @Test
    void aGeminiRequestInSnakeCaseBecomesAnOpenAiChatWithToolIdsPaired() {
        JsonObject gemini = json("{'system_instruction':{'parts':[{'text':'Be brief.'}]},"
                + "'generation_config':{'max_output_tokens':64,'temperature':0.3,'stop_sequences':['END']},"
                + "'tool_config':{'function_calling_config':{'mode':'ANY','allowed_function_names':['get_weather']}},"
                + "'tools':[{'function_declarations':[{'name':'get_weather','parameters':{'type':'object'}}]}],"
                + "'contents':[{'role':'user','parts':[{'text':'Weather?'},{'inline_data':{'mime_type':'image/png','data':'AAA'}}]},"
                + "{'role':'model','parts':[{'functionCall':{'name':'get_weather','args':{'city':'Paris'}}}]},"
                + "{'role':'user','parts':[{'functionResponse':{'name':'get_weather','response':{'temp':18}}}]}]}");
        Chat.Request r = GeminiContent.INSTANCE.decodeRequest(gemini);
        JsonObject o = OpenAiChat.INSTANCE.encodeRequest(r, "gpt-x");
        JsonArray messages = o.getJsonArray("messages");
        assertEquals("Be brief.", messages.getJsonObject(0).getString("content"));
        assertEquals("data:image/png;base64,AAA", messages.getJsonObject(1).getJsonArray("content").getJsonObject(1)
                .getJsonObject("image_url").getString("url"));
        String callId = messages.getJsonObject(2).getJsonArray("tool_calls").getJsonObject(0).getString("id");
        assertEquals(callId, messages.getJsonObject(3).getString("tool_call_id"), "the result answers the call it follows");
        assertEquals("{\"temp\":18}", messages.getJsonObject(3).getString("content"));
        assertEquals("get_weather", o.getJsonObject("tool_choice").getJsonObject("function").getString("name"));
        assertEquals(64, o.getInt("max_completion_tokens"));
        assertEquals("0.3", o.getJsonNumber("temperature").toString());

        JsonObject back = GeminiContent.INSTANCE.encodeRequest(OpenAiChat.INSTANCE.decodeRequest(o), "ignored");
        JsonArray contents = back.getJsonArray("contents");
        assertEquals("get_weather", contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionResponse").getString("name"), "the name found again from the call id");
        assertEquals("ANY", back.getJsonObject("toolConfig").getJsonObject("functionCallingConfig").getString("mode"));
        assertTrue(back.getJsonObject("generationConfig").containsKey("maxOutputTokens"));
        assertEquals("Be brief.", back.getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
    }

    @Test
    void usageCountsThoughtsAsOutputAndTheLastStreamChunkWins() {
        JsonObject response = json("{'candidates':[{'content':{'role':'model','parts':[{'text':'hmm','thought':true},"
                + "{'text':'Hi'}]},'finishReason':'MAX_TOKENS'}],'usageMetadata':{'promptTokenCount':20,"
                + "'candidatesTokenCount':5,'thoughtsTokenCount':7,'cachedContentTokenCount':8,'totalTokenCount':32}}");
        Chat.Response r = GeminiContent.INSTANCE.decodeResponse(response);
        assertEquals(new TokenUsage(20, 12, 32, 8, 7), r.usage());
        assertEquals(Chat.Stop.MAX_TOKENS, r.stop());
        assertEquals(List.of(new Chat.Reasoning("hmm", "", false, null), new Chat.Text("Hi")), r.content(),
                "a thought is reasoning, not the answer");

        TranslatedStream s = new TranslatedStream(GeminiContent.INSTANCE.streamDecoder(() -> 3),
                AnthropicMessages.INSTANCE.streamEncoder(new Chat.Request("asked", null, List.of(),
                        List.of(), null, OptionalLong.empty(), null, null, List.of(), true, null),
                        JsonObject.EMPTY_JSON_OBJECT));
        StringBuilder out = new StringBuilder();
        out.append(new String(s.onEvent(null, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A\"}]}}],"
                + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":1}}"), StandardCharsets.UTF_8));
        assertEquals(UsageQuality.PARTIAL, s.quality());
        out.append(new String(s.onEvent(null, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"B\"}]},"
                + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":2}}"),
                StandardCharsets.UTF_8));
        assertEquals(new TokenUsage(20, 2, 22, 0, 0), s.usage(), "cumulative: the last chunk, not the sum");
        assertEquals(UsageQuality.REPORTED, s.quality());
        assertTrue(out.toString().contains("\"text\":\"A\"") && out.toString().contains("event: message_stop"), out.toString());
    }
}
