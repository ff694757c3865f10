package dev.tollgate.translate;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.Jsons;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.parsson.api.BufferPool;

/**
 * Reading JSON as a parser's events, keeping only what is asked for: how the stream readers take a
 * chunk's meaning without building its tree. Each reader stands after a key (or an array's element
 * start) and leaves the parser after the value it read or skipped.
 */
final class JsonEvents {
    /** Parsers over documents already parsed (a translated stream's events, read for their usage first). */
    private static final JsonParserFactory STRUCTURES = JSON.createParserFactory(Map.of(BufferPool.class.getName(), Jsons.BUFFERS));

    private JsonEvents() {
    }

    /** A parser over an object already built, standing before its first event. */
    static JsonParser over(JsonObject parsed) {
        return STRUCTURES.createParser(parsed);
    }

    /** The value after a key, when it is a string; null (and the value skipped) when it is anything else. */
    static String string(JsonParser p) {
        JsonParser.Event e = p.next();
        if (e == JsonParser.Event.VALUE_STRING) {
            return p.getString();
        }
        skipStarted(p, e);
        return null;
    }

    /** The value after a key as an int, when it is a number; {@code otherwise} (and the value skipped) when not. */
    static int integer(JsonParser p, int otherwise) {
        JsonParser.Event e = p.next();
        if (e == JsonParser.Event.VALUE_NUMBER) {
            return p.getInt();
        }
        skipStarted(p, e);
        return otherwise;
    }

    /**
     * The string fields named {@code names} of the object after a key (others, and fields of other
     * types, skipped); null when the value is not an object.
     */
    static Map<String, String> strings(JsonParser p, Set<String> names) {
        if (!startsObject(p)) {
            return null;
        }
        Map<String, String> found = new HashMap<>(4);
        while (p.next() == JsonParser.Event.KEY_NAME) {
            String key = p.getString();
            if (names.contains(key)) {
                String value = string(p);
                if (value != null) {
                    found.put(key, value);
                } else {
                    found.remove(key);
                }
            } else {
                skip(p);
            }
        }
        return found;
    }

    /** Whether the next value is an object, the parser then standing inside it; any other value is skipped. */
    static boolean startsObject(JsonParser p) {
        JsonParser.Event e = p.next();
        if (e == JsonParser.Event.START_OBJECT) {
            return true;
        }
        skipStarted(p, e);
        return false;
    }

    /** Skips the value after a key. */
    static void skip(JsonParser p) {
        skipStarted(p, p.next());
    }

    /** Skips the rest of a value whose first event {@code e} was just read (nothing to do for a scalar). */
    static void skipStarted(JsonParser p, JsonParser.Event e) {
        if (e == JsonParser.Event.START_OBJECT) {
            p.skipObject();
        } else if (e == JsonParser.Event.START_ARRAY) {
            p.skipArray();
        }
    }
}
