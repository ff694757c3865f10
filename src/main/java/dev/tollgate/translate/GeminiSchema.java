package dev.tollgate.translate;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Gemini's {@code Schema} (an OpenAPI 3.0 subset: upper-case types, {@code nullable}, counts as
 * strings, {@code propertyOrdering}) and JSON Schema (what OpenAI and Anthropic take) into each
 * other, for tool parameters and structured output. A Gemini client's {@code "type": "OBJECT"} is
 * refused by OpenAI and Anthropic; a JSON Schema's {@code additionalProperties}, {@code $schema} or
 * {@code $ref} is refused by Gemini. What the target has no word for is dropped (a schema guides
 * the model; nothing is lost for the call's accounting); local {@code $ref}s are written out in
 * place, a recursive one ending in a plain object.
 */
final class GeminiSchema {
    /** Nodes one translated schema may have: {@code $ref}s written out can multiply a small schema. */
    static final int MAX_NODES = 10_000;
    /** References written out inside one another, at most: deeper ones end in a plain object. */
    static final int MAX_REF_DEPTH = 32;
    private static final Set<String> COPIED = Set.of("description", "title", "required", "minimum", "maximum",
            "pattern", "default");
    /** Counts, which Gemini writes as strings (proto int64) and JSON Schema as numbers. */
    private static final Set<String> COUNTS = Set.of("minItems", "maxItems", "minLength", "maxLength",
            "minProperties", "maxProperties");
    /** Formats Gemini accepts, by type; others are dropped. */
    private static final Map<String, Set<String>> GEMINI_FORMATS = Map.of("STRING", Set.of("enum", "date-time"),
            "INTEGER", Set.of("int32", "int64"), "NUMBER", Set.of("float", "double"));

    private GeminiSchema() {
    }

    /** Gemini {@code Schema} → JSON Schema. */
    static JsonObject toJsonSchema(JsonValue gemini) {
        return new Budget().toJson(gemini);
    }

    /** JSON Schema → Gemini {@code Schema}, references written out. */
    static JsonObject fromJsonSchema(JsonValue schema) {
        JsonObject root = schema instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
        return new Budget().toGemini(root, root, new ArrayDeque<>());
    }

    /** One translation's count of nodes written. */
    private static final class Budget {
        private int nodes;

        private void count() {
            if (++nodes > MAX_NODES) {
                throw new TranslationException("a schema is too large to translate (more than " + MAX_NODES
                        + " nodes once its references are written out)");
            }
        }

        JsonObject toJson(JsonValue v) {
            count();
            if (!(v instanceof JsonObject g)) {
                return JsonValue.EMPTY_JSON_OBJECT;
            }
            JsonObjectBuilder b = JSON.createObjectBuilder();
            String type = g.get("type") instanceof JsonString t ? t.getString().toLowerCase(Locale.ROOT) : null;
            if (type != null && !type.equals("type_unspecified")) {
                if (g.get("nullable") == JsonValue.TRUE && !type.equals("null")) {
                    b.add("type", JSON.createArrayBuilder().add(type).add("null"));
                } else {
                    b.add("type", type);
                }
            }
            for (Map.Entry<String, JsonValue> e : g.entrySet()) {
                String k = e.getKey();
                JsonValue val = e.getValue();
                if (COPIED.contains(k)) {
                    b.add(k, val);
                } else if (COUNTS.contains(k)) {
                    count(b, k, val);
                } else if (k.equals("format") && !(val instanceof JsonString f && f.getString().equals("enum"))) {
                    b.add(k, val);
                } else if (k.equals("enum") && val instanceof JsonArray values) {
                    // a nullable enum admits null: JSON Schema says so in the enum as well as the type
                    b.add(k, g.get("nullable") == JsonValue.TRUE && !values.contains(JsonValue.NULL)
                            ? JSON.createArrayBuilder(values).addNull() : JSON.createArrayBuilder(values));
                } else if (k.equals("example")) {
                    b.add("examples", JSON.createArrayBuilder().add(val));
                } else if (k.equals("items")) {
                    b.add(k, toJson(val));
                } else if (k.equals("properties") && val instanceof JsonObject props) {
                    JsonObjectBuilder p = JSON.createObjectBuilder();
                    props.forEach((name, sub) -> p.add(name, toJson(sub)));
                    b.add(k, p);
                } else if (k.equals("anyOf") && val instanceof JsonArray any) {
                    JsonArrayBuilder a = JSON.createArrayBuilder();
                    any.forEach(sub -> a.add(toJson(sub)));
                    b.add(k, a);
                }
                // type and nullable are done above; propertyOrdering and anything else have no JSON Schema word
            }
            return b.build();
        }

        JsonObject toGemini(JsonObject s, JsonObject root, Deque<String> refs) {
            count();
            if (s.get("$ref") instanceof JsonString ref) {
                return reference(ref.getString(), s, root, refs);
            }
            Map<String, JsonValue> out = new LinkedHashMap<>();
            boolean nullable = false;
            List<String> types = new ArrayList<>();
            if (s.get("type") instanceof JsonString t) {
                types.add(t.getString());
            } else if (s.get("type") instanceof JsonArray ts) {
                ts.forEach(t -> {
                    if (t instanceof JsonString str) {
                        types.add(str.getString());
                    }
                });
            }
            nullable |= types.remove("null");
            List<JsonObject> alternatives = new ArrayList<>();
            for (String key : new String[] {"anyOf", "oneOf"}) {
                if (s.get(key) instanceof JsonArray any) {
                    for (JsonValue sub : any) {
                        if (sub instanceof JsonObject o && o.get("type") instanceof JsonString t
                                && t.getString().equals("null") && o.size() == 1) {
                            nullable = true;
                        } else if (sub instanceof JsonObject o) {
                            alternatives.add(toGemini(o, root, refs));
                        }
                    }
                }
            }
            if (types.size() == 1) {
                out.put("type", JSON.createValue(types.get(0).toUpperCase(Locale.ROOT)));
            } else if (types.size() > 1) {
                types.forEach(t -> alternatives.add(JSON.createObjectBuilder().add("type", t.toUpperCase(Locale.ROOT))
                        .build()));
            }
            if (s.get("allOf") instanceof JsonArray all) {
                for (JsonValue sub : all) {
                    if (sub instanceof JsonObject o) {
                        merge(out, toGemini(o, root, refs));
                    }
                }
            }
            if (alternatives.size() == 1 && !out.containsKey("type")) {
                merge(out, alternatives.get(0));
            } else if (!alternatives.isEmpty()) {
                JsonArrayBuilder any = JSON.createArrayBuilder();
                alternatives.forEach(any::add);
                out.put("anyOf", any.build());
            }
            for (Map.Entry<String, JsonValue> e : s.entrySet()) {
                String k = e.getKey();
                JsonValue val = e.getValue();
                if (COPIED.contains(k)) {
                    out.put(k, val);
                } else if (COUNTS.contains(k) && val instanceof JsonNumber n) {
                    out.put(k, JSON.createValue(Long.toString(n.longValue())));
                } else if (k.equals("const") && val instanceof JsonString) {
                    out.put("enum", JSON.createArrayBuilder().add(val).build());
                } else if (k.equals("enum") && val instanceof JsonArray values) {
                    JsonArrayBuilder strings = JSON.createArrayBuilder();
                    boolean allStrings = true;
                    for (JsonValue v : values) {
                        if (v == JsonValue.NULL) {
                            nullable = true;
                        } else if (v instanceof JsonString) {
                            strings.add(v);
                        } else {
                            allStrings = false; // Gemini's enum is for strings only
                        }
                    }
                    if (allStrings) {
                        out.put("enum", strings.build());
                    }
                } else if (k.equals("examples") && val instanceof JsonArray ex && !ex.isEmpty()) {
                    out.put("example", ex.get(0));
                } else if (k.equals("items") && val instanceof JsonObject items) {
                    out.put(k, toGemini(items, root, refs));
                } else if (k.equals("properties") && val instanceof JsonObject props) {
                    JsonObjectBuilder p = JSON.createObjectBuilder();
                    props.forEach((name, sub) -> p.add(name, sub instanceof JsonObject o ? toGemini(o, root, refs)
                            : JsonValue.EMPTY_JSON_OBJECT));
                    out.put(k, p.build());
                }
                // everything else ($schema, additionalProperties, not, if/then/else, …) Gemini refuses
            }
            if (s.get("format") instanceof JsonString f && out.get("type") instanceof JsonString t
                    && GEMINI_FORMATS.getOrDefault(t.getString(), Set.of()).contains(f.getString())) {
                out.put("format", f);
            }
            if (nullable) {
                out.put("nullable", JsonValue.TRUE);
            }
            JsonObjectBuilder b = JSON.createObjectBuilder();
            out.forEach(b::add);
            return b.build();
        }

        /** A local reference written out; one that refers to itself ends in a plain object. */
        private JsonObject reference(String ref, JsonObject at, JsonObject root, Deque<String> refs) {
            JsonValue target = resolve(ref, root);
            if (!(target instanceof JsonObject o) || refs.contains(ref) || refs.size() >= MAX_REF_DEPTH) {
                JsonObjectBuilder plain = JSON.createObjectBuilder().add("type", "OBJECT");
                if (at.get("description") instanceof JsonString d) {
                    plain.add("description", d);
                }
                return plain.build();
            }
            refs.push(ref);
            try {
                JsonObject resolved = toGemini(o, root, refs);
                if (at.get("description") instanceof JsonString d) { // a description beside the $ref wins
                    return JSON.createObjectBuilder(resolved).add("description", d).build();
                }
                return resolved;
            } finally {
                refs.pop();
            }
        }

        private static void count(JsonObjectBuilder b, String key, JsonValue val) {
            if (val instanceof JsonNumber n) {
                b.add(key, n);
            } else if (val instanceof JsonString s) {
                try {
                    b.add(key, Long.parseLong(s.getString().trim()));
                } catch (NumberFormatException ignored) {
                    // not a count: left out
                }
            }
        }
    }

    /** {@code #/$defs/Name} or {@code #/definitions/Name} (JSON Pointer escapes undone), or null. */
    private static JsonValue resolve(String ref, JsonObject root) {
        if (!ref.startsWith("#/")) {
            return null; // a remote reference: nothing is fetched
        }
        JsonValue at = root;
        for (String part : ref.substring(2).split("/", -1)) {
            String name = part.replace("~1", "/").replace("~0", "~");
            if (!(at instanceof JsonObject o) || !o.containsKey(name)) {
                return null;
            }
            at = o.get(name);
        }
        return at;
    }

    /** Merges a translated sub-schema into one being built (allOf): properties and required are joined. */
    private static void merge(Map<String, JsonValue> into, JsonObject from) {
        for (Map.Entry<String, JsonValue> e : from.entrySet()) {
            JsonValue had = into.get(e.getKey());
            if (e.getKey().equals("properties") && had instanceof JsonObject a && e.getValue() instanceof JsonObject b) {
                into.put("properties", JSON.createObjectBuilder(a).addAll(JSON.createObjectBuilder(b)).build());
            } else if (e.getKey().equals("required") && had instanceof JsonArray a && e.getValue() instanceof JsonArray b) {
                into.put("required", JSON.createArrayBuilder(a).addAll(JSON.createArrayBuilder(b)).build());
            } else {
                into.put(e.getKey(), e.getValue());
            }
        }
    }
}
