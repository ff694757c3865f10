package dev.tollgate.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Each microbenchmark does the real work it claims to measure (timings belong to bench/, not here). */
class HotPathBenchmarksTest {
    @Test
    void eachBenchmarkComputesTheRealAnswer() {
        HotPathBenchmarks b = new HotPathBenchmarks();
        b.load();
        int events = b.events().size();
        assertTrue(events >= 21, "20 content chunks, a usage chunk and [DONE]: " + events);
        assertEquals(events, b.sseFraming(), "1 KiB reads frame the same events as one read");
        assertTrue(b.usageExtraction() > 0, "the fixture's usage chunk is read");
        JsonObject answer = b.translation();
        assertEquals("message", answer.getString("type"), answer.toString());
        assertEquals("claude-x", answer.getString("model"));
    }
}
