package dev.tollgate.json;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A field of a JSON object read from a file someone else wrote (a bundle's line), held to what
 * this server would itself have written: text of bounded length without control characters,
 * whole numbers within a range. Anything else is an {@link IllegalArgumentException} naming the
 * field, never a value that reaches a header, a page or a sum unchecked.
 */
public final class JsonFields {
    private JsonFields() {
    }

    /** The text, or null when the field is absent or null. */
    public static String text(JsonObject o, String name, int max) {
        JsonValue v = o.get(name);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw new IllegalArgumentException(name + " is not text");
        }
        String text = s.getString();
        if (text.length() > max) {
            throw new IllegalArgumentException(name + " is longer than " + max + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(name + " holds a control character");
            }
        }
        return text;
    }

    /** The same, present and not empty. */
    public static String required(JsonObject o, String name, int max) {
        String text = text(o, name, max);
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("no " + name);
        }
        return text;
    }

    /** The whole number, or null when the field is absent or null. */
    public static Long number(JsonObject o, String name, long min, long max) {
        JsonValue v = o.get(name);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new IllegalArgumentException(name + " is not a whole number");
        }
        long value;
        try {
            value = n.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is out of range");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is out of range (" + min + " to " + max + ")");
        }
        return value;
    }

    /** The same, 0 when absent. */
    public static long count(JsonObject o, String name, long max) {
        Long n = number(o, name, 0, max);
        return n == null ? 0 : n;
    }
}
