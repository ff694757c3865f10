package dev.tollgate.json;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** The bounded parser on any bytes: an object within its bounds, or {@link BoundedJson.Refused}. */
class BoundedJsonFuzzTest {
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(16, 2_000);

    @FuzzTest(maxDuration = "30s")
    void anyBytesParseWithinBoundsOrAreRefused(@NotNull byte[] bytes) {
        try {
            JsonObject o = BoundedJson.object(bytes, BOUNDS);
            assertTrue(depth(o) <= BOUNDS.maxDepth());
        } catch (BoundedJson.Refused e) {
            assertTrue(e.getMessage() != null);
        }
    }

    private static int depth(JsonValue v) {
        if (v instanceof JsonObject o) {
            return 1 + o.values().stream().mapToInt(BoundedJsonFuzzTest::depth).max().orElse(0);
        }
        if (v instanceof JsonArray a) {
            return 1 + a.stream().mapToInt(BoundedJsonFuzzTest::depth).max().orElse(0);
        }
        return 0;
    }
}
