package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Structured output (JSON, or JSON matching a schema) asked for in one format reaches every other. */
class StructuredOutputTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    private static final String MESSAGES = "'messages':[{'role':'user','content':'Weather?'}]";
    private static final String SCHEMA = "{'type':'object','properties':{'temp':{'type':['number','null']}},"
            + "'required':['temp'],'additionalProperties':false}";

    @Test
    void anOpenAiJsonSchemaBecomesGeminisResponseSchema() {
        Chat.Request r = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m'," + MESSAGES + ",'response_format':{"
                + "'type':'json_schema','json_schema':{'name':'weather','strict':true,'schema':" + SCHEMA + "}}}"));
        JsonObject config = GeminiContent.INSTANCE.encodeRequest(r, "g").getJsonObject("generationConfig");
        assertEquals("application/json", config.getString("responseMimeType"));
        assertEquals(json("{'type':'OBJECT','properties':{'temp':{'type':'NUMBER','nullable':true}},'required':['temp']}"),
                config.getJsonObject("responseSchema"));
    }

    @Test
    void geminisResponseSchemaBecomesAnOpenAiJsonSchema() {
        Chat.Request r = GeminiContent.INSTANCE.decodeRequest(json("{'contents':[{'role':'user','parts':[{'text':'Hi'}]}],"
                + "'generationConfig':{'responseMimeType':'application/json','responseSchema':{'type':'OBJECT',"
                + "'properties':{'temp':{'type':'NUMBER','nullable':true}},'required':['temp']}}}"));
        assertEquals(json("{'type':'json_schema','json_schema':{'name':'response','schema':{'type':'object',"
                        + "'properties':{'temp':{'type':['number','null']}},'required':['temp']}}}"),
                OpenAiChat.INSTANCE.encodeRequest(r, "m").getJsonObject("response_format"));
    }

    @Test
    void geminisJsonSchemaAndResponsesTextFormatMeet() {
        Chat.Request r = GeminiContent.INSTANCE.decodeRequest(json("{'contents':[{'role':'user','parts':[{'text':'Hi'}]}],"
                + "'generationConfig':{'responseMimeType':'application/json','responseJsonSchema':" + SCHEMA + "}}"));
        JsonObject format = OpenAiResponses.INSTANCE.encodeRequest(r, "m").getJsonObject("text").getJsonObject("format");
        assertEquals(json("{'type':'json_schema','name':'response','schema':" + SCHEMA + "}"), format);
        Chat.Request back = OpenAiResponses.INSTANCE.decodeRequest(json("{'model':'m','input':'Hi','text':{'format':{"
                + "'type':'json_schema','name':'w','strict':true,'schema':" + SCHEMA + "}}}"));
        assertEquals(json("{'type':'json_schema','json_schema':{'name':'w','schema':" + SCHEMA + ",'strict':true}}"),
                OpenAiChat.INSTANCE.encodeRequest(back, "m").getJsonObject("response_format"));
    }

    @Test
    void anyJsonIsTheJsonMimeTypeAndBack() {
        Chat.Request r = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m'," + MESSAGES
                + ",'response_format':{'type':'json_object'}}"));
        JsonObject config = GeminiContent.INSTANCE.encodeRequest(r, "g").getJsonObject("generationConfig");
        assertEquals(json("{'responseMimeType':'application/json'}"), config);
        Chat.Request back = GeminiContent.INSTANCE.decodeRequest(json("{'contents':[{'role':'user','parts':[{'text':'Hi'}]}],"
                + "'generationConfig':" + config + "}"));
        assertEquals(json("{'type':'json_object'}"), OpenAiChat.INSTANCE.encodeRequest(back, "m")
                .getJsonObject("response_format"));
    }

    @Test
    void textAsksForNothing() {
        Chat.Request r = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m'," + MESSAGES
                + ",'response_format':{'type':'text'}}"));
        assertEquals(null, r.output());
        assertFalse(GeminiContent.INSTANCE.encodeRequest(r, "g").containsKey("generationConfig"));
    }

    @Test
    void anthropicIsToldInItsSystemPrompt() {
        Chat.Request r = OpenAiChat.INSTANCE.decodeRequest(json("{'model':'m','messages':[{'role':'system','content':"
                + "'Be brief.'},{'role':'user','content':'Weather?'}],'response_format':{'type':'json_schema',"
                + "'json_schema':{'name':'weather','schema':" + SCHEMA + "}}}"));
        String system = AnthropicMessages.INSTANCE.encodeRequest(r, "claude").getString("system");
        assertTrue(system.startsWith("Be brief.\n\n"), system);
        assertTrue(system.contains("JSON Schema: " + json(SCHEMA)), system);
    }
}
