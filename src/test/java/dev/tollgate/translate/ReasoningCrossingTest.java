package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.usage.TokenUsage;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The model's reasoning crosses formats: Claude's thinking and Gemini's thoughts reach OpenAI chat
 * clients as {@code reasoning_content} and Responses clients as reasoning items, their signatures
 * come back to their own provider in the next turn's history (and to no other), and reasoning
 * effort maps to thinking budgets and back.
 */
class ReasoningCrossingTest {
    private static final String SIGNATURE = "EqQBCkYIBxgCKkB-signed-by-anthropic";
    private static final String GEMINI_SIGNATURE = "CiQB-gemini-thought-signature";

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    /** Claude's answer: thinking with its signature, then a tool call. */
    private static final JsonObject CLAUDE = json("{'id':'msg_1','type':'message','role':'assistant','model':'claude',"
            + "'content':[{'type':'thinking','thinking':'I should look up Paris.','signature':'" + SIGNATURE + "'},"
            + "{'type':'redacted_thinking','data':'opaque-redacted'},"
            + "{'type':'tool_use','id':'toolu_1','name':'get_weather','input':{'city':'Paris'}}],"
            + "'stop_reason':'tool_use','usage':{'input_tokens':20,'output_tokens':30}}");

    @Test
    void claudesThinkingReachesAChatClientAndComesBackSigned() {
        Chat.Response r = AnthropicMessages.INSTANCE.decodeResponse(CLAUDE);
        assertTrue(r.usage().reasoning() > 0 && r.usage().reasoning() <= 30,
                "the thinking text is counted as the reasoning part of the output: " + r.usage());
        JsonObject message = OpenAiChat.INSTANCE.encodeResponse(r, "claude").getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message");
        assertEquals("I should look up Paris.", message.getString("reasoning_content"));
        JsonArray blocks = message.getJsonArray("thinking_blocks");
        assertEquals(SIGNATURE, blocks.getJsonObject(0).getString("signature"), "Claude's signature as Claude wrote it");
        assertEquals("opaque-redacted", blocks.getJsonObject(1).getString("data"));
        assertTrue(OpenAiChat.INSTANCE.encodeResponse(r, "claude").getJsonObject("usage")
                .getJsonObject("completion_tokens_details").getInt("reasoning_tokens") > 0);

        // the client sends the assistant message back as it got it, with the tool's result
        JsonObject next = json("{'model':'claude','reasoning_effort':'high','temperature':0.2,'tool_choice':'required',"
                + "'messages':[{'role':'user','content':'Weather?'},"
                + message.toString().replace('"', '\'') + ","
                + "{'role':'tool','tool_call_id':'toolu_1','content':'21C'}],"
                + "'tools':[{'type':'function','function':{'name':'get_weather','parameters':{'type':'object'}}}]}");
        JsonObject sent = AnthropicMessages.INSTANCE.encodeRequest(OpenAiChat.INSTANCE.decodeRequest(next), "claude");
        JsonArray assistant = sent.getJsonArray("messages").getJsonObject(1).getJsonArray("content");
        assertEquals(json("{'type':'thinking','thinking':'I should look up Paris.','signature':'" + SIGNATURE + "'}"),
                assistant.getJsonObject(0), "thinking first, with its signature");
        assertEquals("redacted_thinking", assistant.getJsonObject(1).getString("type"));
        assertEquals("tool_use", assistant.getJsonObject(2).getString("type"));
        assertEquals(json("{'type':'enabled','budget_tokens':24576}"), sent.getJsonObject("thinking"), "high effort");
        assertTrue(sent.getInt("max_tokens") > 24576, "room for the answer beyond the thinking budget");
        assertFalse(sent.containsKey("temperature"), "Anthropic refuses a changed temperature while thinking");
        assertFalse(sent.containsKey("tool_choice"), "nor a forced tool");
    }

    @Test
    void aResponsesClientGetsReasoningItemsAndGivesThemBack() {
        Chat.Response r = AnthropicMessages.INSTANCE.decodeResponse(CLAUDE);
        JsonObject answer = OpenAiResponses.INSTANCE.encodeResponse(r, "claude");
        JsonObject item = answer.getJsonArray("output").getJsonObject(0);
        assertEquals("reasoning", item.getString("type"));
        assertEquals("I should look up Paris.", item.getJsonArray("summary").getJsonObject(0).getString("text"));
        assertEquals("tollgate.anthropic." + SIGNATURE, item.getString("encrypted_content"),
                "another provider's signature, marked as whose it is");
        assertTrue(answer.getJsonObject("usage").getJsonObject("output_tokens_details").getInt("reasoning_tokens") > 0);

        JsonObject next = json("{'model':'claude','reasoning':{'effort':'low'},'input':["
                + "{'role':'user','content':'Weather?'}," + item.toString().replace('"', '\'') + ","
                + answer.getJsonArray("output").getJsonObject(2).toString().replace('"', '\'') + ","
                + "{'type':'function_call_output','call_id':'toolu_1','output':'21C'}]}");
        JsonObject sent = AnthropicMessages.INSTANCE.encodeRequest(OpenAiResponses.INSTANCE.decodeRequest(next), "claude");
        JsonArray assistant = sent.getJsonArray("messages").getJsonObject(1).getJsonArray("content");
        assertEquals(SIGNATURE, assistant.getJsonObject(0).getString("signature"));
        assertEquals("tool_use", assistant.getJsonObject(assistant.size() - 1).getString("type"));
        assertEquals(2048, sent.getJsonObject("thinking").getInt("budget_tokens"), "low effort");
    }

    @Test
    void geminisSignedCallCrossesAChatClientBackToGeminiAndNowhereElse() {
        JsonObject gemini = json("{'candidates':[{'content':{'role':'model','parts':["
                + "{'text':'Thinking about Paris','thought':true},"
                + "{'functionCall':{'name':'get_weather','args':{'city':'Paris'}},'thoughtSignature':'" + GEMINI_SIGNATURE
                + "'}]},'finishReason':'STOP'}],'usageMetadata':{'promptTokenCount':9,'candidatesTokenCount':4,"
                + "'thoughtsTokenCount':6,'totalTokenCount':19}}");
        Chat.Response r = GeminiContent.INSTANCE.decodeResponse(gemini);
        JsonObject chat = OpenAiChat.INSTANCE.encodeResponse(r, "gemini");
        JsonObject message = chat.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals("Thinking about Paris", message.getString("reasoning_content"));
        assertEquals(6, chat.getJsonObject("usage").getJsonObject("completion_tokens_details").getInt("reasoning_tokens"));
        String history = "{'model':'g','messages':[{'role':'user','content':'Weather?'}," + message.toString().replace('"', '\'')
                + ",{'role':'tool','tool_call_id':'" + message.getJsonArray("tool_calls").getJsonObject(0).getString("id")
                + "','content':'21C'}]}";
        Chat.Request next = OpenAiChat.INSTANCE.decodeRequest(json(history));

        JsonObject toGemini = GeminiContent.INSTANCE.encodeRequest(next, "g");
        JsonObject call = toGemini.getJsonArray("contents").getJsonObject(1).getJsonArray("parts").getJsonObject(0);
        assertEquals(GEMINI_SIGNATURE, call.getString("thoughtSignature"), "the signature rides on the call again");
        assertTrue(call.containsKey("functionCall"));

        JsonObject toClaude = AnthropicMessages.INSTANCE.encodeRequest(next, "claude");
        assertFalse(toClaude.toString().contains(GEMINI_SIGNATURE), "Gemini's signature never goes to Anthropic");
        assertFalse(toClaude.toString().contains("\"thinking\""), "nor an unsigned thinking block Anthropic would refuse");
    }

    /** Gemini's answer calling get_weather, its thought signed with the given signature. */
    private static JsonObject geminiCall(String signature) {
        return json("{'candidates':[{'content':{'role':'model','parts':[{'text':'Thinking','thought':true},"
                + "{'functionCall':{'name':'get_weather','args':{'city':'Paris'}},'thoughtSignature':'" + signature
                + "'}]},'finishReason':'STOP'}]}");
    }

    @Test
    void twoConversationsCallingTheSameFunctionOnGeminiEachGetTheirOwnSignatureBack() {
        ReasoningMemory memory = new ReasoningMemory(100, 1_000_000);
        String[] ids = new String[2];
        for (int i = 0; i < 2; i++) { // the same caller, two conversations, the same first call in each
            Chat.Response answer = GeminiContent.INSTANCE.decodeResponse(geminiCall("signature-of-conversation-" + i));
            memory.remember("alice", answer.content());
            ids[i] = OpenAiChat.INSTANCE.encodeResponse(answer, "g").getJsonArray("choices").getJsonObject(0)
                    .getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getString("id");
        }
        assertFalse(ids[0].equals(ids[1]), "the ids Gemini's answers are given never repeat: " + ids[0]);
        for (int i = 0; i < 2; i++) { // each client sends back only the call, as most chat clients do
            String history = "{'model':'g','messages':[{'role':'user','content':'Weather?'},{'role':'assistant',"
                    + "'tool_calls':[{'id':'" + ids[i] + "','type':'function','function':{'name':'get_weather',"
                    + "'arguments':'{}'}}]},{'role':'tool','tool_call_id':'" + ids[i] + "','content':'21C'}]}";
            Chat.Request next = memory.restore("alice", OpenAiChat.INSTANCE.decodeRequest(json(history)));
            JsonObject call = GeminiContent.INSTANCE.encodeRequest(next, "g").getJsonArray("contents").getJsonObject(1)
                    .getJsonArray("parts").getJsonObject(0);
            assertEquals("signature-of-conversation-" + i, call.getString("thoughtSignature"));
        }
    }

    @Test
    void aGeminiStreamsCallIdsAreGeminisOwnWhenItGivesThemAndUniqueWhenItDoesNot() {
        ChatCodec.StreamDecoder first = GeminiContent.INSTANCE.streamDecoder(() -> 0);
        ChatCodec.StreamDecoder second = GeminiContent.INSTANCE.streamDecoder(() -> 0);
        String chunk = geminiCall("s").toString();
        String a = ((Chat.ToolStarted) first.decode(chunk).stream().filter(Chat.ToolStarted.class::isInstance)
                .findFirst().orElseThrow()).id();
        String b = ((Chat.ToolStarted) second.decode(chunk).stream().filter(Chat.ToolStarted.class::isInstance)
                .findFirst().orElseThrow()).id();
        assertTrue(a.startsWith("call_0_get_weather_") && !a.equals(b), a + " / " + b);
        String own = chunk.replace("\"name\":\"get_weather\"", "\"id\":\"fc-42\",\"name\":\"get_weather\"");
        assertEquals("fc-42", ((Chat.ToolStarted) GeminiContent.INSTANCE.streamDecoder(() -> 0).decode(own).stream()
                .filter(Chat.ToolStarted.class::isInstance).findFirst().orElseThrow()).id());
    }

    @Test
    void effortAndBudgetsMapBothWays() {
        Chat.Request fromClaude = AnthropicMessages.INSTANCE.decodeRequest(json("{'model':'m','max_tokens':4000,"
                + "'thinking':{'type':'enabled','budget_tokens':2000},'messages':[{'role':'user','content':'hi'}]}"));
        assertEquals("low", OpenAiChat.INSTANCE.encodeRequest(fromClaude, "o").getString("reasoning_effort"));
        assertEquals(json("{'effort':'low','summary':'auto'}"),
                OpenAiResponses.INSTANCE.encodeRequest(fromClaude, "o").getJsonObject("reasoning"));
        assertEquals(json("{'thinkingBudget':2000,'includeThoughts':true}"), GeminiContent.INSTANCE
                .encodeRequest(fromClaude, "g").getJsonObject("generationConfig").getJsonObject("thinkingConfig"));
        Chat.Request fromGemini = GeminiContent.INSTANCE.decodeRequest(json("{'contents':[{'role':'user','parts':"
                + "[{'text':'hi'}]}],'generationConfig':{'thinkingConfig':{'thinkingBudget':0}}}"));
        assertEquals(json("{'type':'disabled'}"), AnthropicMessages.INSTANCE.encodeRequest(fromGemini, "c")
                .getJsonObject("thinking"), "a budget of 0 turns thinking off");
        Chat.Request huge = AnthropicMessages.INSTANCE.decodeRequest(json("{'model':'m','max_tokens':9223372036854775807,"
                + "'thinking':{'type':'enabled','budget_tokens':9223372036854775807},'messages':[{'role':'user','content':'hi'}]}"));
        JsonObject sentOn = AnthropicMessages.INSTANCE.encodeRequest(huge, "c");
        assertEquals(Chat.Thinking.MAX_BUDGET, sentOn.getJsonObject("thinking").getJsonNumber("budget_tokens").longValue());
        assertTrue(sentOn.getJsonNumber("max_tokens").longValue() > Chat.Thinking.MAX_BUDGET, "no overflow: " + sentOn);
        Chat.Request plain = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m','messages':[{'role':'user','content':'hi'}]}"));
        assertFalse(AnthropicMessages.INSTANCE.encodeRequest(plain, "c").containsKey("thinking"), "nothing asked, nothing sent");
    }

    @Test
    void claudesThinkingStreamsToChatAndResponsesClients() {
        String[] claude = {
            "{'type':'message_start','message':{'id':'msg_1','model':'claude','usage':{'input_tokens':5,'output_tokens':1}}}",
            "{'type':'content_block_start','index':0,'content_block':{'type':'thinking','thinking':''}}",
            "{'type':'content_block_delta','index':0,'delta':{'type':'thinking_delta','thinking':'Let me '}}",
            "{'type':'content_block_delta','index':0,'delta':{'type':'thinking_delta','thinking':'think.'}}",
            "{'type':'content_block_delta','index':0,'delta':{'type':'signature_delta','signature':'" + SIGNATURE + "'}}",
            "{'type':'content_block_stop','index':0}",
            "{'type':'content_block_start','index':1,'content_block':{'type':'text','text':''}}",
            "{'type':'content_block_delta','index':1,'delta':{'type':'text_delta','text':'Hi'}}",
            "{'type':'content_block_stop','index':1}",
            "{'type':'message_delta','delta':{'stop_reason':'end_turn'},'usage':{'output_tokens':12}}",
            "{'type':'message_stop'}"};
        Chat.Request asked = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'c','stream':true,"
                + "'stream_options':{'include_usage':true},'messages':[{'role':'user','content':'hi'}]}"));
        String chat = stream(claude, OpenAiChat.INSTANCE.streamEncoder(asked, json("{'stream_options':{'include_usage':true}}")));
        assertTrue(chat.contains("\"reasoning_content\":\"Let me \"") && chat.contains("\"reasoning_content\":\"think.\""), chat);
        assertTrue(chat.contains("\"thinking_blocks\":[{\"type\":\"thinking\",\"thinking\":\"Let me think.\",\"signature\":\""
                + SIGNATURE + "\"}]"), chat);
        assertTrue(chat.indexOf("reasoning_content") < chat.indexOf("\"content\":\"Hi\""), "reasoning before the answer");
        assertTrue(chat.matches("(?s).*\"reasoning_tokens\":[1-9].*"), "reasoning tokens in the usage chunk: " + chat);

        String responses = stream(claude, OpenAiResponses.INSTANCE.streamEncoder(asked, json("{}")));
        assertTrue(responses.contains("event: response.reasoning_summary_text.delta"), responses);
        assertTrue(responses.contains("\"encrypted_content\":\"tollgate.anthropic." + SIGNATURE + "\""), responses);
        assertTrue(responses.indexOf("\"type\":\"reasoning\"") < responses.indexOf("response.output_text.delta"));

        String backToClaude = stream(claude, AnthropicMessages.INSTANCE.streamEncoder(asked, json("{}")));
        assertTrue(backToClaude.contains("\"type\":\"signature_delta\",\"signature\":\"" + SIGNATURE + "\""), backToClaude);
    }

    private static String stream(String[] events, ChatCodec.StreamEncoder encoder) {
        TranslatedStream s = new TranslatedStream(AnthropicMessages.INSTANCE.streamDecoder(() -> 5), encoder);
        StringBuilder out = new StringBuilder();
        for (String e : events) {
            byte[] b = s.onEvent(null, e.replace('\'', '"'));
            if (b != null) {
                out.append(new String(b, StandardCharsets.UTF_8));
            }
        }
        TokenUsage u = s.usage();
        assertTrue(u.reasoning() > 0, "the stream's thinking counted: " + u);
        return out.toString();
    }

    @Test
    void signaturesAreWrappedOnlyForClientsThatCannotCarryThemAsTheyAre() {
        Chat.Reasoning claude = new Chat.Reasoning("t", "sig", false, Chat.Origin.ANTHROPIC);
        assertEquals("sig", Signatures.wrap(claude, Chat.Origin.ANTHROPIC));
        assertEquals("tollgate.anthropic.sig", Signatures.wrap(claude, Chat.Origin.OPENAI));
        assertEquals(claude, Signatures.read("t", "tollgate.anthropic.sig", false, Chat.Origin.OPENAI));
        Chat.Reasoning redacted = new Chat.Reasoning("", "data", true, Chat.Origin.ANTHROPIC);
        assertEquals(redacted, Signatures.read("", Signatures.wrap(redacted, Chat.Origin.GEMINI), false, Chat.Origin.GEMINI));
        assertEquals(new Chat.Reasoning("t", "", false, null), Signatures.read("t", "tollgate.nobody.x", false,
                Chat.Origin.OPENAI), "an unknown mark is no provider's");
    }
}
