package dev.tollgate.cost;

import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import java.math.BigDecimal;

/**
 * A model's prices in pico-USD per token (= USD per million tokens × 10⁶), exact integers.
 * Cached input is charged at {@code cachedInput}, input written to a cache at
 * {@code cacheWrite5m} or {@code cacheWrite1h}, the rest of the prompt at {@code input}; all
 * output, reasoning included, at {@code output}.
 */
public record Price(String model, long input, long output, long cachedInput, long cacheWrite5m, long cacheWrite1h) {

    /** From USD-per-million-token decimals as written in the table or config; null cached = no discount. */
    public static Price perMillion(String model, BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
        return perMillion(model, input, output, cachedInput, null, null);
    }

    /** The same with cache-write prices; a null one costs the input price. */
    public static Price perMillion(String model, BigDecimal input, BigDecimal output, BigDecimal cachedInput,
                                   BigDecimal cacheWrite5m, BigDecimal cacheWrite1h) {
        long in = pico(input);
        return new Price(model, in, pico(output), cachedInput == null ? in : pico(cachedInput),
                cacheWrite5m == null ? in : pico(cacheWrite5m), cacheWrite1h == null ? in : pico(cacheWrite1h));
    }

    /**
     * What {@code tokens} cost at these prices. Counts below zero count as zero, and the sum saturates
     * at {@link Long#MAX_VALUE} pico-USD (about 9.2 million USD) instead of overflowing: a record is
     * always priced and written, whatever an upstream or a price row says.
     */
    public Charge charge(TokenUsage tokens) {
        long prompt = Math.max(0, tokens.prompt());
        long cached = Math.min(Math.max(0, tokens.cached()), prompt);
        long write5m = Math.min(Math.max(0, tokens.cacheWrite5m()), prompt - cached);
        long write1h = Math.min(Math.max(0, tokens.cacheWrite1h()), prompt - cached - write5m);
        long plain = prompt - cached - write5m - write1h;
        long cost = saturatedSum(saturatedProduct(plain, input), saturatedProduct(cached, cachedInput),
                saturatedProduct(write5m, cacheWrite5m), saturatedProduct(write1h, cacheWrite1h),
                saturatedProduct(Math.max(0, tokens.completion()), output));
        return new Charge(cost, input, output, cachedInput, cacheWrite5m, cacheWrite1h);
    }

    /** {@code a × b} for non-negative a and b, or {@link Long#MAX_VALUE} when it does not fit. */
    static long saturatedProduct(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    static long saturatedSum(long... parts) {
        long sum = 0;
        for (long p : parts) {
            sum = sum > Long.MAX_VALUE - p ? Long.MAX_VALUE : sum + p;
        }
        return sum;
    }

    private static long pico(BigDecimal perMillion) {
        if (perMillion.signum() < 0) {
            throw new IllegalArgumentException("a price cannot be negative: " + perMillion);
        }
        try {
            return perMillion.movePointRight(6).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a price per million tokens may have at most 6 decimals: " + perMillion);
        }
    }
}
