package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tollgate.json.BoundedJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The one spelling a message is stored and hashed in: the same message always hashes the same. */
class StoredJsonTest {
    private static String canonical(String json) {
        return StoredJson.canonical(BoundedJson.value(json, BoundedJson.Bounds.UPSTREAM));
    }

    @Test
    void keysAreSortedAtEveryDepthAndNothingIsSpaced() {
        assertEquals("{\"a\":{\"c\":\"x y\",\"d\":[1,{\"y\":null,\"z\":true}]},\"b\":1.5}",
                canonical("{ \"b\" : 1.5, \"a\" : {\"d\": [1, {\"z\": true, \"y\": null}], \"c\": \"x y\"} }"));
        assertEquals(canonical("{\"role\":\"user\",\"content\":\"hi\"}"), canonical("{\"content\":\"hi\",\"role\":\"user\"}"));
    }

    @Test
    void keysThatNeedEscapingAreSpelledAsJsonSpellsThem() {
        assertEquals("{\"\\t\":1,\"\\\"q\\\\\":2,\"plain\":3,\"é\":4}",
                canonical("{\"é\":4,\"plain\":3,\"\\\"q\\\\\":2,\"\\t\":1}"));
    }

    @Test
    void theHashIsTheSha256OfTheCanonicalText() throws Exception {
        String text = canonical("{\"content\":\"héllo\",\"role\":\"user\"}");
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, StoredJson.hash(text));
        assertEquals(expected, StoredJson.hash(text), "a second hash starts afresh");
        assertNotEquals(expected, StoredJson.hash(text + " "));
    }
}
