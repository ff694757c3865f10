package dev.tollgate.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedJsonTest {
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(64, 1_000);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nestingBeyondTheBoundIsRefusedBeforeParsing() {
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        BoundedJson.Refused e = assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes(deep), BOUNDS));
        assertEquals("JSON nested deeper than 64 levels", e.getMessage());
        String atTheBound = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
        assertEquals(1, BoundedJson.object(bytes(atTheBound), BOUNDS).size());
    }

    @Test
    void tooManyValuesAreRefused() {
        String many = "{\"a\":[" + "0,".repeat(5_000) + "0]}";
        BoundedJson.Refused e = assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes(many), BOUNDS));
        assertTrue(e.getMessage().contains("more than 1000 values"), e.getMessage());
    }

    @Test
    void bracketsAndCommasInsideStringsDoNotCount() {
        String text = "{\"a\":\"" + "[[[,,,\\\"]]]".repeat(1_000) + "\"}";
        JsonObject o = BoundedJson.object(bytes(text), BOUNDS);
        assertEquals(10_000, o.getString("a").length());
    }

    @Test
    void trailingDataIsRefused() {
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\":1} garbage"), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\":1}{}"), BOUNDS));
        assertEquals(1, BoundedJson.object(bytes("  {\"a\":1} \r\n\t"), BOUNDS).getInt("a"));
    }

    @Test
    void notAnObjectOrIncompleteOrEmptyIsRefused() {
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("[1]"), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\":[1,2"), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\":\"open"), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("   "), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\":1]]"), BOUNDS));
        assertThrows(BoundedJson.Refused.class, () -> BoundedJson.object(bytes("{\"a\" 1}"), BOUNDS));
    }

    @Test
    void aDocumentLargerThanTheParsersDefaultLimitParses() {
        // Parsson stops at 15 million characters by default; a body within max-body-size must parse
        String big = "{\"content\":\"" + "hello world ".repeat(1_700_000) + "\"}";
        assertEquals(20_400_000, BoundedJson.object(bytes(big), BOUNDS).getString("content").length());
    }

    @Test
    void smallAndLargeDocumentsReadTheSameTextWhateverTheirBytes() {
        // small documents are decoded to a string first, large ones read through the bytes: same answers
        String text = "h\u00e9llo \u4e16\u754c \uD83D\uDE00 \\\"q\\u0041";
        for (String pad : new String[] {"", "x".repeat(70_000)}) {
            String doc = "{\"t\":\"" + text + "\",\"pad\":\"" + pad + "\"}";
            assertEquals("h\u00e9llo \u4e16\u754c \uD83D\uDE00 \"qA", BoundedJson.object(bytes(doc), BOUNDS).getString("t"),
                    "pad " + pad.length());
            byte[] marked = ("\uFEFF" + doc).getBytes(StandardCharsets.UTF_8); // a byte order mark is skipped
            assertEquals(pad.length(), BoundedJson.object(marked, BOUNDS).getString("pad").length());
            byte[] broken = bytes(doc.replace("h\u00e9llo", "hXllo"));
            broken[7] = (byte) 0xC3; // a lone lead byte reads as the replacement character either way
            assertEquals('\uFFFD', BoundedJson.object(broken, BOUNDS).getString("t").charAt(1));
        }
    }

    @Test
    void tryObjectIsEmptyForAnythingRefused() {
        assertTrue(BoundedJson.tryObject("[" .repeat(10_000), BOUNDS).isEmpty());
        assertTrue(BoundedJson.tryObject("not json", BOUNDS).isEmpty());
        assertEquals(2, BoundedJson.tryObject("{\"x\":2}", BOUNDS).orElseThrow().getInt("x"));
    }
}
