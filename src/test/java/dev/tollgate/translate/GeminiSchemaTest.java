package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class GeminiSchemaTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    /** What the google-genai SDKs send for a function's parameters. */
    private static final String GEMINI = "{'type':'OBJECT','properties':{"
            + "'city':{'type':'STRING','description':'the city'},"
            + "'days':{'type':'INTEGER','format':'int32','nullable':true,'minimum':1},"
            + "'unit':{'type':'STRING','format':'enum','enum':['C','F'],'nullable':true},"
            + "'tags':{'type':'ARRAY','items':{'type':'STRING'},'maxItems':'3'}},"
            + "'required':['city'],'propertyOrdering':['city','days','unit','tags']}";

    @Test
    void geminisSchemaBecomesJsonSchema() {
        assertEquals(json("{'type':'object','properties':{"
                + "'city':{'type':'string','description':'the city'},"
                + "'days':{'type':['integer','null'],'format':'int32','minimum':1},"
                + "'unit':{'type':['string','null'],'enum':['C','F',null]},"
                + "'tags':{'type':'array','items':{'type':'string'},'maxItems':3}},"
                + "'required':['city']}"), GeminiSchema.toJsonSchema(json(GEMINI)));
    }

    @Test
    void aJsonSchemaAsPydanticWritesItBecomesGeminisSchema() {
        JsonObject pydantic = json("{'$schema':'https://json-schema.org/draft/2020-12/schema','type':'object',"
                + "'additionalProperties':false,'properties':{"
                + "'city':{'type':'string','title':'City'},"
                + "'when':{'anyOf':[{'type':'string','format':'date-time'},{'type':'null'}],'default':null},"
                + "'unit':{'$ref':'#/$defs/Unit','description':'which scale'},"
                + "'n':{'type':['integer','null'],'exclusiveMinimum':0,'maximum':9},"
                + "'id':{'type':['string','integer']},"
                + "'kind':{'const':'forecast'},"
                + "'tags':{'type':'array','items':{'type':'string','format':'uri'},'maxItems':3,'uniqueItems':true}},"
                + "'required':['city'],'$defs':{'Unit':{'enum':['C','F'],'type':'string','title':'Unit'}}}");
        assertEquals(json("{'type':'OBJECT','properties':{"
                + "'city':{'type':'STRING','title':'City'},"
                + "'when':{'type':'STRING','format':'date-time','nullable':true,'default':null},"
                + "'unit':{'type':'STRING','enum':['C','F'],'title':'Unit','description':'which scale'},"
                + "'n':{'type':'INTEGER','maximum':9,'nullable':true},"
                + "'id':{'anyOf':[{'type':'STRING'},{'type':'INTEGER'}]},"
                + "'kind':{'enum':['forecast']},"
                + "'tags':{'type':'ARRAY','items':{'type':'STRING'},'maxItems':'3'}},"
                + "'required':['city']}"), GeminiSchema.fromJsonSchema(pydantic));
    }

    @Test
    void geminiToJsonSchemaAndBackKeepsWhatGeminiSaid() {
        JsonObject back = GeminiSchema.fromJsonSchema(GeminiSchema.toJsonSchema(json(GEMINI)));
        JsonObject want = Json.createObjectBuilder(json(GEMINI)).remove("propertyOrdering").build();
        // format "enum" is Gemini's way of saying what enum says already
        JsonObject unit = Json.createObjectBuilder(want.getJsonObject("properties").getJsonObject("unit"))
                .remove("format").build();
        want = Json.createObjectBuilder(want).add("properties", Json.createObjectBuilder(want.getJsonObject("properties"))
                .add("unit", unit)).build();
        assertEquals(want, back);
    }

    @Test
    void aRecursiveReferenceEndsInAPlainObject() {
        JsonObject tree = json("{'$ref':'#/$defs/Node','$defs':{'Node':{'type':'object','properties':{"
                + "'value':{'type':'string'},'children':{'type':'array','items':{'$ref':'#/$defs/Node'}}}}}}");
        JsonObject g = GeminiSchema.fromJsonSchema(tree);
        assertEquals(json("{'type':'OBJECT'}"), g.getJsonObject("properties").getJsonObject("children")
                .getJsonObject("items"));
        assertEquals("STRING", g.getJsonObject("properties").getJsonObject("value").getString("type"));
    }

    @Test
    void referencesThatMultiplyAreRefusedNotWrittenOutForever() {
        StringBuilder defs = new StringBuilder("{'$ref':'#/$defs/d0','$defs':{");
        for (int i = 0; i < 30; i++) { // each level refers to the next twice: 2^30 nodes written out
            defs.append("'d").append(i).append("':{'type':'object','properties':{'a':{'$ref':'#/$defs/d").append(i + 1)
                    .append("'},'b':{'$ref':'#/$defs/d").append(i + 1).append("'}}},");
        }
        defs.append("'d30':{'type':'string'}}}");
        TranslationException e = assertThrows(TranslationException.class,
                () -> GeminiSchema.fromJsonSchema(json(defs.toString())));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void aRemoteOrMissingReferenceIsAPlainObject() {
        assertEquals(json("{'type':'OBJECT','properties':{'x':{'type':'OBJECT'},'y':{'type':'OBJECT'}}}"),
                GeminiSchema.fromJsonSchema(json("{'type':'object','properties':{'x':{'$ref':'https://e.com/s.json'},"
                        + "'y':{'$ref':'#/$defs/none'}}}")));
    }
}
