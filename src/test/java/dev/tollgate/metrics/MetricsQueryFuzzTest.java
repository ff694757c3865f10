package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;

/** {@code /_qs/metrics} parameters, any text: a query with from before to, or an {@link MetricsQuery.InvalidQuery} (400). */
class MetricsQueryFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyParametersAreAQueryOrA400(FuzzedDataProvider data) {
        String from = data.consumeBoolean() ? data.consumeString(40) : null;
        String to = data.consumeBoolean() ? data.consumeString(40) : null;
        String model = data.consumeBoolean() ? data.consumeString(300) : null;
        String interval = data.consumeBoolean() ? data.consumeRemainingAsString() : null;
        try {
            MetricsQuery q = MetricsQuery.parse(from, to, model, interval, Instant.parse("2026-12-02T12:00:00Z"));
            assertTrue(q.from().isBefore(q.to()));
        } catch (MetricsQuery.InvalidQuery e) {
            assertTrue(e.getMessage() != null);
        }
    }
}
