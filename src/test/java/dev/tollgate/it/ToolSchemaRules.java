package dev.tollgate.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Set;

/**
 * How each provider checks the tool declarations and response schemas it is sent, as far as the fakes need it to be
 * faithful: the errors real providers answer when a schema is in another provider's dialect.
 * OpenAI and Anthropic take JSON Schema (lower-case types; Anthropic an object at the root);
 * Gemini takes its own {@code Schema} and refuses any field it does not know.
 */
public final class ToolSchemaRules {
    private static final Set<String> JSON_TYPES = Set.of("object", "array", "string", "number", "integer", "boolean",
            "null");
    /** Keywords whose values are data, not schemas. */
    private static final Set<String> VALUES = Set.of("enum", "const", "default", "examples", "example", "required");
    private static final Set<String> GEMINI_FIELDS = Set.of("type", "format", "title", "description", "nullable", "enum",
            "maxItems", "minItems", "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
            "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum");
    private static final Set<String> GEMINI_TYPES = Set.of("TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN",
            "ARRAY", "OBJECT", "NULL");

    private ToolSchemaRules() {
    }

    /** OpenAI's error body for tools whose parameters are no JSON Schema, or null when they all are. */
    public static String openAi(JsonObject body, boolean responses) {
        JsonValue format = responses ? (body.get("text") instanceof JsonObject t ? t.get("format") : null)
                : (body.get("response_format") instanceof JsonObject rf ? rf.get("json_schema") : null);
        String badOutput = format instanceof JsonObject f && f.get("schema") instanceof JsonObject schema
                ? badJsonType(schema) : null;
        if (badOutput != null) {
            return "{\"error\":{\"message\":\"Invalid schema for response_format '" + ((JsonObject) format)
                    .getString("name", "") + "': In context=(), '" + badOutput + "' is not valid under any of the given "
                    + "schemas.\",\"type\":\"invalid_request_error\",\"param\":\"response_format\",\"code\":null}}";
        }
        JsonArray tools = body.get("tools") instanceof JsonArray a ? a : JsonValue.EMPTY_JSON_ARRAY;
        for (int i = 0; i < tools.size(); i++) {
            JsonObject t = tools.getJsonObject(i);
            JsonObject f = responses ? t : t.getJsonObject("function");
            String bad = f != null && f.get("parameters") instanceof JsonObject p ? badJsonType(p) : null;
            if (bad != null) {
                String param = responses ? "tools[" + i + "].parameters" : "tools[" + i + "].function.parameters";
                return "{\"error\":{\"message\":\"Invalid schema for function '" + f.getString("name", "") + "': In "
                        + "context=(), '" + bad + "' is not valid under any of the given schemas.\",\"type\":"
                        + "\"invalid_request_error\",\"param\":\"" + param + "\",\"code\":\"invalid_function_parameters\"}}";
            }
        }
        return null;
    }

    /** Anthropic's error body for a tool whose input_schema is not an object in JSON Schema, or null. */
    public static String anthropic(JsonObject body) {
        JsonArray tools = body.get("tools") instanceof JsonArray a ? a : JsonValue.EMPTY_JSON_ARRAY;
        for (int i = 0; i < tools.size(); i++) {
            JsonObject schema = tools.getJsonObject(i).getJsonObject("input_schema");
            String problem = schema == null ? null
                    : !"object".equals(schema.get("type") instanceof JsonString s ? s.getString() : null)
                    ? "tools." + i + ".custom.input_schema.type: Input should be 'object'"
                    : badJsonType(schema) != null ? "tools." + i + ".custom.input_schema: JSON schema is invalid. It "
                    + "must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool "
                    + "use at https://docs.anthropic.com/en/docs/tool-use." : null;
            if (problem != null) {
                return "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"" + problem + "\"}}";
            }
        }
        return null;
    }

    /** Gemini's error body for a function declaration whose parameters are not Gemini's Schema, or null. */
    public static String gemini(JsonObject body) {
        String badOutput = body.get("generationConfig") instanceof JsonObject config
                && config.get("responseSchema") instanceof JsonObject schema
                ? badGemini(schema, "generation_config.response_schema") : null;
        if (badOutput != null) {
            return geminiError(badOutput);
        }
        JsonArray tools = body.get("tools") instanceof JsonArray a ? a : JsonValue.EMPTY_JSON_ARRAY;
        for (int i = 0; i < tools.size(); i++) {
            JsonArray decls = tools.getJsonObject(i).get("functionDeclarations") instanceof JsonArray d ? d
                    : JsonValue.EMPTY_JSON_ARRAY;
            for (int j = 0; j < decls.size(); j++) {
                String at = "tools[" + i + "].function_declarations[" + j + "].parameters";
                String problem = decls.getJsonObject(j).get("parameters") instanceof JsonObject p ? badGemini(p, at) : null;
                if (problem != null) {
                    return geminiError(problem);
                }
            }
        }
        return null;
    }

    private static String geminiError(String message) {
        return "{\"error\":{\"code\":400,\"message\":\"" + message.replace("\"", "\\\"")
                + "\",\"status\":\"INVALID_ARGUMENT\"}}";
    }

    /** The first type value that is not a JSON Schema type, anywhere in the schema, or null. */
    private static String badJsonType(JsonValue v) {
        if (v instanceof JsonObject o) {
            for (var e : o.entrySet()) {
                if (e.getKey().equals("type")) {
                    JsonArray types = e.getValue() instanceof JsonArray a ? a
                            : Json.createArrayBuilder().add(e.getValue()).build();
                    for (JsonValue t : types) {
                        if (!(t instanceof JsonString s) || !JSON_TYPES.contains(s.getString())) {
                            return t instanceof JsonString s ? s.getString() : t.toString();
                        }
                    }
                } else if (e.getKey().equals("properties") && e.getValue() instanceof JsonObject props) {
                    for (JsonValue p : props.values()) {
                        String bad = badJsonType(p);
                        if (bad != null) {
                            return bad;
                        }
                    }
                } else if (!VALUES.contains(e.getKey())) {
                    String bad = badJsonType(e.getValue());
                    if (bad != null) {
                        return bad;
                    }
                }
            }
        } else if (v instanceof JsonArray a) {
            for (JsonValue x : a) {
                String bad = badJsonType(x);
                if (bad != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private static String badGemini(JsonObject schema, String at) {
        for (var e : schema.entrySet()) {
            String k = e.getKey();
            if (!GEMINI_FIELDS.contains(k)) {
                return "Invalid JSON payload received. Unknown name \"" + k + "\" at '" + at + "': Cannot find field.";
            }
            JsonValue v = e.getValue();
            if (k.equals("type") && !(v instanceof JsonString s && GEMINI_TYPES.contains(s.getString()
                    .toUpperCase(Locale.ROOT)))) {
                return "Invalid value at '" + at + ".type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "
                        + v;
            }
            String problem = null;
            if (k.equals("properties") && v instanceof JsonObject props) {
                for (var p : props.entrySet()) {
                    problem = problem != null || !(p.getValue() instanceof JsonObject o) ? problem
                            : badGemini(o, at + ".properties[" + p.getKey() + "].value");
                }
            } else if (k.equals("items") && v instanceof JsonObject o) {
                problem = badGemini(o, at + ".items");
            } else if (k.equals("anyOf") && v instanceof JsonArray any) {
                for (int i = 0; i < any.size() && problem == null; i++) {
                    problem = any.get(i) instanceof JsonObject o ? badGemini(o, at + ".any_of[" + i + "]") : null;
                }
            }
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
