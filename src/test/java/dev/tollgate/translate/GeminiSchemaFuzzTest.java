package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tollgate.json.BoundedJson;
import jakarta.json.JsonObject;

/**
 * Any schema a client sends, either way: a translated schema within the node budget, or a
 * {@link TranslationException} (a 400), never a stack overflow or an endless write-out of references.
 */
class GeminiSchemaFuzzTest {
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(64, 20_000);

    @FuzzTest(maxDuration = "30s")
    void anySchemaTranslatesOrIsRefused(@NotNull byte[] bytes) {
        JsonObject schema;
        try {
            schema = BoundedJson.object(bytes, BOUNDS);
        } catch (BoundedJson.Refused e) {
            return;
        }
        for (boolean toGemini : new boolean[] {true, false}) {
            try {
                JsonObject out = toGemini ? GeminiSchema.fromJsonSchema(schema) : GeminiSchema.toJsonSchema(schema);
                assertNotNull(out);
                assertTrue(out.toString().length() < 64 * 1024 * 1024);
            } catch (TranslationException e) {
                assertTrue(e.getMessage().contains("too large"), e.getMessage());
            }
        }
    }
}
