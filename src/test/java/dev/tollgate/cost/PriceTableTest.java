package dev.tollgate.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig.ModelPrice;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    private final PriceTable table = PriceTable.withOverrides(List.of());

    @Test
    void knownTokensGiveTheExactCost() {
        // gpt-4o: $2.50 input, $10.00 output, $1.25 cached input per million tokens
        Charge c = table.find("gpt-4o").orElseThrow().charge(new TokenUsage(1_000, 500, 1_500, 400, 120));
        // 600 uncached × 2.5e6 + 400 cached × 1.25e6 + 500 output (120 of it reasoning) × 10e6 pico-USD
        assertEquals(600L * 2_500_000 + 400L * 1_250_000 + 500L * 10_000_000, c.costPicoUsd());
        assertEquals(new BigDecimal("0.0070"), BigDecimal.valueOf(c.costPicoUsd(), 12).setScale(4));
        assertEquals(2_500_000, c.inputPerToken());
        assertEquals(1_250_000, c.cachedInputPerToken());
    }

    @Test
    void cacheWritesArePricedApartFromReadsAndPlainInput() {
        // claude-sonnet-4-5: $3 input, $15 output, $0.30 cache read, $3.75 5-minute write, $6 1-hour write
        Price p = PriceTable.withOverrides(List.of()).find("claude-sonnet-4-5-20250929").orElseThrow();
        // prompt 10,000 = 1,000 plain + 2,000 read + 3,000 written for 5 minutes + 4,000 for an hour
        Charge c = p.charge(new TokenUsage(10_000, 500, 10_500, 2_000, 0, 3_000, 4_000));
        long expected = 1_000L * 3_000_000 + 2_000L * 300_000 + 3_000L * 3_750_000 + 4_000L * 6_000_000
                + 500L * 15_000_000;
        assertEquals(expected, c.costPicoUsd());
        assertEquals(3_750_000, c.cacheWrite5mPerToken());
        assertEquals(6_000_000, c.cacheWrite1hPerToken());
        Price noWritePrices = PriceTable.withOverrides(List.of()).find("gpt-4o").orElseThrow();
        assertEquals(noWritePrices.input(), noWritePrices.cacheWrite5m(), "no write price: writes cost the input price");
    }

    @Test
    void fractionalPricesStayExact() {
        // gemini-1.5-flash cached input is $0.01875 per million: 18,750 pico-USD per token, no rounding
        Charge c = table.find("gemini-1.5-flash").orElseThrow().charge(new TokenUsage(3, 0, 3, 3, 0));
        assertEquals(3 * 18_750, c.costPicoUsd());
    }

    @Test
    void datedVariantsUseTheirFamilyAndTheLongestMatchWins() {
        assertEquals("gpt-4o", table.find("gpt-4o-2024-08-06").orElseThrow().model());
        assertEquals("gpt-4o-mini", table.find("gpt-4o-mini-2024-07-18").orElseThrow().model());
        assertEquals("claude-sonnet-4-5", table.find("claude-sonnet-4-5-20250929").orElseThrow().model());
        assertEquals("gpt-4.1-mini", table.find("gpt-4.1-mini").orElseThrow().model());
        assertEquals(Optional.empty(), table.find("gpt-4omni"), "a prefix must end at a '-'");
        assertEquals(Optional.empty(), table.find("mystery-model"));
    }

    @Test
    void theBuiltInTableCoversThreeProvidersWithAllPriceKinds() {
        List<Price> all = PriceTable.builtIn();
        assertTrue(all.size() >= 30, "at least 30 models, got " + all.size());
        for (String family : new String[] {"gpt-", "claude-", "gemini-"}) {
            assertTrue(all.stream().filter(p -> p.model().startsWith(family)).count() >= 7, family);
        }
        Price opus = table.find("claude-opus-4-1").orElseThrow();
        assertEquals(15_000_000, opus.input());
        assertEquals(75_000_000, opus.output());
        assertEquals(1_500_000, opus.cachedInput());
    }

    @Test
    void overridesReplaceAndAdd() {
        PriceTable t = PriceTable.withOverrides(List.of(
                new ModelPrice("gpt-4o", new BigDecimal("2.00"), new BigDecimal("8.00"), Optional.empty()),
                new ModelPrice("in-house-llm", new BigDecimal("0.000001"), new BigDecimal("0.5"),
                        Optional.of(BigDecimal.ZERO))));
        assertEquals(2_000_000, t.find("gpt-4o").orElseThrow().input());
        assertEquals(2_000_000, t.find("gpt-4o").orElseThrow().cachedInput(), "no cached price: no discount");
        assertEquals(1 + 2 * 500_000, t.find("in-house-llm").orElseThrow().charge(TokenUsage.of(1, 2)).costPicoUsd());
    }

    @Test
    void recordsAreChargedOnlyWhenPriced() {
        assertEquals(10L * 150_000 + 20L * 600_000, table.charge(record("gpt-4o-mini")).charge().costPicoUsd());
        assertNull(table.charge(record("mystery")).charge(), "unknown model: no charge, not a zero one");
    }

    @Test
    void badPricesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Price.perMillion("x", new BigDecimal("0.0000001"), BigDecimal.ONE, null));
        assertThrows(IllegalArgumentException.class,
                () -> Price.perMillion("x", new BigDecimal("-1"), BigDecimal.ONE, null));
    }

    private static UsageRecord record(String model) {
        return new UsageRecord("id", Instant.EPOCH, "/v1/chat/completions", false, model, model, "openai", "openai#1",
                Caller.of(KeyFingerprint.of("sk-abcdef")), 200, 5, null, TokenUsage.of(10, 20), UsageQuality.REPORTED, null, null,
                1, true, null);
    }

    @Test
    void costsSaturateAtTheExtremesInsteadOfOverflowing() {
        Price dear = Price.perMillion("dear", new BigDecimal("1000000"), new BigDecimal("1000000"), null);
        // 9.2e18 pico-USD is the most a long holds: 10^15 output tokens at 10^12 pico-USD each is far beyond
        assertEquals(Long.MAX_VALUE, dear.charge(TokenUsage.of(0, 1_000_000_000_000_000L)).costPicoUsd());
        assertEquals(Long.MAX_VALUE, dear.charge(new TokenUsage(Long.MAX_VALUE, Long.MAX_VALUE, -2, 0, 0))
                .costPicoUsd());
        assertEquals(Long.MAX_VALUE, Price.saturatedSum(Long.MAX_VALUE - 1, 5));
        assertEquals(Long.MAX_VALUE, Price.saturatedProduct(3_037_000_500L, 3_037_000_500L));
        assertEquals(9_223_372_030_926_249_001L, Price.saturatedProduct(3_037_000_499L, 3_037_000_499L));
        // below the bound the arithmetic is exact, and negative counts never pay anything back
        assertEquals(100L * 1_000_000_000_000L, dear.charge(TokenUsage.of(100, 0)).costPicoUsd());
        assertEquals(0, dear.charge(TokenUsage.of(-100, -3)).costPicoUsd());
    }
}
