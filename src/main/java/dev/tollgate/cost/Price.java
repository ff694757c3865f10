package dev.tollgate.cost;

import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import java.math.BigDecimal;

/**
 * A model's prices in pico-USD per token (= USD per million tokens × 10⁶), exact integers.
 * Cached input is charged at {@code cachedInput}; the rest of the prompt at {@code input}; all
 * output, reasoning included, at {@code output}.
 */
public record Price(String model, long input, long output, long cachedInput) {

    /** From USD-per-million-token decimals as written in the table or config; null cached = no discount. */
    public static Price perMillion(String model, BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
        long in = pico(input);
        return new Price(model, in, pico(output), cachedInput == null ? in : pico(cachedInput));
    }

    public Charge charge(TokenUsage tokens) {
        long cached = Math.min(tokens.cached(), tokens.prompt());
        long cost = Math.addExact(Math.addExact(
                Math.multiplyExact(tokens.prompt() - cached, input),
                Math.multiplyExact(cached, cachedInput)),
                Math.multiplyExact(tokens.completion(), output));
        return new Charge(cost, input, output, cachedInput);
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
