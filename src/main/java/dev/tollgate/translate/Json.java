package dev.tollgate.translate;


import dev.tollgate.json.BoundedJson;
import dev.tollgate.json.Jsons;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;

/** Small readers the codecs share, each refusing a wrong type with a message naming the field. */
final class Json {
    private Json() {
    }

    static Optional<JsonObject> parse(String data) {
        return BoundedJson.tryObject(data, BoundedJson.Bounds.UPSTREAM);
    }

    /** A JSON text as an object for an input field; {@code {}} when it is empty or not an object. */
    static JsonObject object(String text) {
        return text == null || text.isBlank() ? JsonValue.EMPTY_JSON_OBJECT : parse(text).orElse(JsonValue.EMPTY_JSON_OBJECT);
    }

    static String string(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new TranslationException("'" + field + "' must be a string");
    }

    static JsonArray array(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v == JsonValue.NULL) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        if (v instanceof JsonArray a) {
            return a;
        }
        throw new TranslationException("'" + field + "' must be an array");
    }

    static JsonObject objectIn(JsonValue v, String what) {
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new TranslationException(what + " must be an object");
    }

    /** Adds the sampling settings both sides share, under the names the target format uses. */
    static void addSampling(JsonObjectBuilder b, Chat.Request r, String stopField) {
        if (r.temperature() != null) {
            b.add("temperature", r.temperature());
        }
        if (r.topP() != null) {
            b.add("top_p", r.topP());
        }
        if (stopField != null) {
            addStop(b, r, stopField);
        }
    }

    /** The request's stop sequences under {@code stopField}, if it has any. */
    static void addStop(JsonObjectBuilder b, Chat.Request r, String stopField) {
        if (!r.stop().isEmpty()) {
            JsonArrayBuilder stop = Jsons.JSON.createArrayBuilder();
            r.stop().forEach(stop::add);
            b.add(stopField, stop);
        }
    }

    static String join(List<String> parts) {
        return String.join("\n\n", parts);
    }
}
