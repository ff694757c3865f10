package dev.tollgate.json;

import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider of the application. {@code jakarta.json.Json}'s static factories look the
 * provider up through ServiceLoader on every call, which inside a web-app class loader costs far
 * more than the JSON work itself; everything here uses this instance instead.
 */
public final class Jsons {
    public static final JsonProvider JSON = JsonProvider.provider();

    private Jsons() {
    }

    /** A string as JSON, or JSON's null when there is none. */
    public static JsonValue textOrNull(String text) {
        return text == null ? JsonValue.NULL : JSON.createValue(text);
    }
}
