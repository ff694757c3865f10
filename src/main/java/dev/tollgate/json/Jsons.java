package dev.tollgate.json;

import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON-P provider of the application. {@code jakarta.json.Json}'s static factories look the
 * provider up through ServiceLoader on every call, which inside a web-app class loader costs far
 * more than the JSON work itself; everything here uses this instance instead.
 */
public final class Jsons {
    public static final JsonProvider JSON = JsonProvider.provider();

    /** The character buffers of the parsers made by the application's own factories ({@link ThreadBufferPool}). */
    public static final ThreadBufferPool BUFFERS = new ThreadBufferPool();

    private Jsons() {
    }

    /**
     * A JSON value as plain Java (maps, lists, strings, numbers, booleans, null), for templates
     * that show the same figures an API answers with.
     */
    public static Object plain(JsonValue v) {
        return switch (v.getValueType()) {
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                v.asJsonObject().forEach((k, x) -> m.put(k, plain(x)));
                yield m;
            }
            case ARRAY -> v.asJsonArray().stream().map(Jsons::plain).toList();
            case STRING -> ((JsonString) v).getString();
            case NUMBER -> ((JsonNumber) v).bigDecimalValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
        };
    }

    /** A string as JSON, or JSON's null when there is none. */
    public static JsonValue textOrNull(String text) {
        return text == null ? JsonValue.NULL : JSON.createValue(text);
    }
}
