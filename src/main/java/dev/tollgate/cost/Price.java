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

    public Charge charge(TokenUsage tokens) {
        long cached = Math.min(tokens.cached(), tokens.prompt());
        long write5m = Math.min(tokens.cacheWrite5m(), tokens.prompt() - cached);
        long write1h = Math.min(tokens.cacheWrite1h(), tokens.prompt() - cached - write5m);
        long plain = tokens.prompt() - cached - write5m - write1h;
        long cost = Math.multiplyExact(plain, input);
        cost = Math.addExact(cost, Math.multiplyExact(cached, cachedInput));
        cost = Math.addExact(cost, Math.multiplyExact(write5m, cacheWrite5m));
        cost = Math.addExact(cost, Math.multiplyExact(write1h, cacheWrite1h));
        cost = Math.addExact(cost, Math.multiplyExact(tokens.completion(), output));
        return new Charge(cost, input, output, cachedInput, cacheWrite5m, cacheWrite1h);
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
