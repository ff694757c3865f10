package dev.tollgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tollgate.access.AccessException;
import dev.tollgate.config.LimitSet;
import jakarta.json.JsonObject;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Admin bodies, any text: read, or an {@link AccessException} of kind INVALID (a 400 naming the field). */
class AdminJsonFuzzTest {
    private static final Set<String> LIMIT_FIELDS = Arrays.stream(LimitSet.Kind.values()).map(LimitSet.Kind::jsonKey)
            .collect(Collectors.toSet());

    @FuzzTest(maxDuration = "30s")
    void anyAdminBodyIsReadOrRefused(@NotNull String text) {
        try {
            JsonObject body = AdminJson.body(text, LIMIT_FIELDS);
            LimitSet limits = AdminJson.limitSet(body);
            limits.values().values().forEach(v -> assertTrue(v >= 0, "a limit is never negative"));
        } catch (AccessException e) {
            assertEquals(AccessException.Kind.INVALID, e.kind());
        }
    }
}
