package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageSanityTest {
    private static JsonObject json(String s) {
        return Json.createReader(new StringReader(s)).readObject();
    }

    @Test
    void believableUsagePassesUntouched() {
        TokenUsage u = new TokenUsage(100, 50, 150, 20, 10, 5, 0);
        UsageSanity.Checked c = UsageSanity.check(u);
        assertEquals(u, c.usage());
        assertNull(c.reported());
    }

    @Test
    void negativeCountsBecomeZeroAndTheReportIsKept() {
        UsageSanity.Checked c = UsageSanity.check(new TokenUsage(-1000, -5, -1005, 0, 0));
        assertEquals(new TokenUsage(0, 0, 0, 0, 0), c.usage());
        assertTrue(c.reported().contains("prompt=-1000") && c.reported().contains("completion=-5"), c.reported());
    }

    @Test
    void absurdCountsAreClampedToTheBound() {
        UsageSanity.Checked c = UsageSanity.check(TokenUsage.of(10, 5_000_000_000_000L));
        assertEquals(UsageSanity.MAX_TOKENS, c.usage().completion());
        assertEquals(10 + UsageSanity.MAX_TOKENS, c.usage().total());
        assertTrue(c.reported().contains("completion=5000000000000"));
    }

    @Test
    void partsLargerThanTheirWholeAreClamped() {
        UsageSanity.Checked c = UsageSanity.check(new TokenUsage(10, 5, 15, 50, 9));
        assertEquals(10, c.usage().cached());
        assertEquals(5, c.usage().reasoning());
    }

    @Test
    void readersSaturateNumbersInsteadOfWrappingThem() {
        // longValue() makes 1e308 zero and 1e19 negative; the readers keep them huge, so the sanity check sees them
        TokenUsage u = OpenAiUsage.of(json("{\"usage\":{\"prompt_tokens\":1e308,\"completion_tokens\":1e19,"
                + "\"total_tokens\":12.9}}")).orElseThrow();
        assertEquals(TokenCount.SATURATION, u.prompt());
        assertEquals(TokenCount.SATURATION, u.completion());
        assertEquals(12, u.total());
        assertEquals(-TokenCount.SATURATION, GeminiUsage.of(json("{\"usageMetadata\":{\"promptTokenCount\":-1e400}}"))
                .orElseThrow().prompt());
    }

    @Test
    void theMeterRecordsClampedUsageAsClampedWithTheReportedFigures() {
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 0);
        m.modelCall();
        m.usage(TokenUsage.of(-7, 3), UsageQuality.REPORTED);
        UsageRecord[] out = new UsageRecord[1];
        m.complete(200, 1_000_000, r -> out[0] = r);
        assertEquals(UsageQuality.CLAMPED, out[0].quality());
        assertEquals(0, out[0].tokens().prompt());
        assertTrue(out[0].usageReported().contains("prompt=-7"));
    }
}
