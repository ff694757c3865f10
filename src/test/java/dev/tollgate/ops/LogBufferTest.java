package dev.tollgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway log buffer keeps no secret, stays bounded, and filters by level and text. */
class LogBufferTest {
    private final LogBuffer buffer = LogBuffer.attach("dev.tollgate.test");
    private final Logger log = Logger.getLogger("dev.tollgate.test.component");

    @AfterEach
    void detach() {
        buffer.close();
    }

    @Test
    void aKeyLoggedOnPurposeIsMaskedBeforeItIsKept() {
        buffer.maskSecretsOf(() -> List.of("goog-upstream-secret", "hunter2-header-value"));
        log.warning("upstream refused key goog-upstream-secret with header hunter2-header-value");
        log.warning("client sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and sk-proj-AbCdEf1234567890");
        log.log(Level.SEVERE, "failed with api_key=plain-text-key-123 for request 0190c9a4-7b1e-7c3d-9f00-123456789abc",
                new IllegalStateException("token: leaked-token-value"));
        String all = buffer.since(0, Level.INFO, null, 100).toString();
        for (String secret : List.of("goog-upstream-secret", "hunter2-header-value", "eyJhbGciOiJIUzI1NiJ9", "sk-proj-AbCdEf1234567890",
                "plain-text-key-123", "leaked-token-value")) {
            assertFalse(all.contains(secret), secret + " kept in " + all);
        }
        List<LogBuffer.Line> severe = buffer.since(0, Level.SEVERE, null, 100);
        assertEquals(1, severe.size());
        assertEquals("0190c9a4-7b1e-7c3d-9f00-123456789abc", severe.get(0).requestId());
        assertTrue(severe.get(0).message().contains("api_key=***"), severe.get(0).message());
    }

    @Test
    void theBufferIsBoundedAndFollowsFromALineNumber() {
        for (int i = 0; i < LogBuffer.CAPACITY + 50; i++) {
            log.info("line " + i + " " + "x".repeat(i == 60 ? 10_000 : 1));
        }
        List<LogBuffer.Line> all = buffer.since(0, Level.INFO, null, Integer.MAX_VALUE);
        assertEquals(LogBuffer.CAPACITY, all.size(), "the oldest lines go");
        assertTrue(all.get(0).message().startsWith("line 50 "));
        assertEquals(LogBuffer.MAX_CHARS + 1, all.get(10).message().length(), "a long line is cut");
        long last = all.get(all.size() - 1).seq();
        assertTrue(buffer.since(last, Level.INFO, null, 10).isEmpty());
        log.info("one more");
        assertEquals("one more", buffer.since(last, Level.INFO, null, 10).get(0).message());
        List<LogBuffer.Line> twelve = buffer.since(0, Level.INFO, "LINE 12", 10);
        assertEquals(10, twelve.size(), "at most the limit, the newest of the matches");
        assertTrue(twelve.get(9).message().startsWith("line 1299 "), twelve.get(9).message());
    }
}
