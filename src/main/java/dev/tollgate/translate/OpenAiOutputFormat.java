package dev.tollgate.translate;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * OpenAI's two spellings of structured output: chat completions' {@code response_format}, which
 * nests the schema under {@code json_schema}, and the Responses API's {@code text.format}, which
 * does not.
 */
enum OpenAiOutputFormat {
    /** {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}} */
    CHAT,
    /** {@code {"type": "json_schema", "name", "schema", "strict"}} */
    RESPONSES;

    /** The output a format object asks for; null for text or anything else. */
    Chat.Output read(JsonValue format) {
        if (!(format instanceof JsonObject f)) {
            return null;
        }
        return switch (f.getString("type", "text")) {
            case "json_object" -> new Chat.AnyJson();
            case "json_schema" -> {
                JsonObject s = this == CHAT ? (f.get("json_schema") instanceof JsonObject o ? o
                        : JsonValue.EMPTY_JSON_OBJECT) : f;
                yield new Chat.JsonSchemaOutput(Json.string(s, "name"), Json.string(s, "description"),
                        s.get("schema") instanceof JsonObject schema ? schema : JsonValue.EMPTY_JSON_OBJECT,
                        s.get("strict") == JsonValue.TRUE);
            }
            default -> null;
        };
    }

    /** The format object for an output. */
    JsonObject write(Chat.Output output) {
        if (!(output instanceof Chat.JsonSchemaOutput js)) {
            return JSON.createObjectBuilder().add("type", "json_object").build(); // AnyJson, the only other kind
        }
        JsonObjectBuilder s = JSON.createObjectBuilder().add("name", js.name()).add("schema", js.schema());
        if (js.description() != null) {
            s.add("description", js.description());
        }
        if (js.strict()) {
            s.add("strict", true);
        }
        return this == CHAT ? JSON.createObjectBuilder().add("type", "json_schema").add("json_schema", s).build()
                : s.add("type", "json_schema").build();
    }
}
