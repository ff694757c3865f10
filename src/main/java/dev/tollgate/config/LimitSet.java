package dev.tollgate.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The limits of one subject (a key, a user, or the whole gateway); a kind that is absent is not
 * limited. Budgets are held in pico-USD (10⁻¹² USD) so that they compare exactly with costs.
 */
public record LimitSet(Map<Kind, Long> values) {
    public static final LimitSet NONE = new LimitSet(Map.of());

    /** Every kind of limit, with its name in YAML (kebab-case) and JSON (snake_case). */
    public enum Kind {
        REQUESTS_PER_MINUTE(false),
        REQUESTS_PER_DAY(false),
        TOKENS_PER_MINUTE(false),
        TOKENS_PER_DAY(false),
        TOTAL_TOKENS(false),
        BUDGET_USD_PER_DAY(true),
        BUDGET_USD_PER_MONTH(true),
        MAX_CONCURRENT(false);

        private final boolean money;

        Kind(boolean money) {
            this.money = money;
        }

        /** USD amounts, stored as pico-USD. */
        public boolean money() {
            return money;
        }

        public String yamlKey() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public String jsonKey() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LimitSet {
        EnumMap<Kind, Long> copy = new EnumMap<>(Kind.class);
        values.forEach((k, v) -> {
            if (v != null) {
                if (v < 0) {
                    throw new IllegalArgumentException(k.jsonKey() + " cannot be negative");
                }
                copy.put(k, v);
            }
        });
        values = Collections.unmodifiableMap(copy);
    }

    /** These limits with {@code own}'s in place of any of the same kind: a default under a subject's own. */
    public LimitSet over(LimitSet own) {
        if (isEmpty()) {
            return own;
        }
        if (own.isEmpty()) {
            return this;
        }
        Map<Kind, Long> merged = new EnumMap<>(values);
        merged.putAll(own.values);
        return new LimitSet(merged);
    }

    public OptionalLong get(Kind kind) {
        Long v = values.get(kind);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public boolean has(Kind kind) {
        return values.containsKey(kind);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** USD as written (at most 12 decimals) to exact pico-USD. */
    public static long picoUsd(BigDecimal usd) {
        if (usd.signum() < 0) {
            throw new IllegalArgumentException("an amount in USD cannot be negative: " + usd.toPlainString());
        }
        try {
            return usd.movePointRight(12).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("an amount in USD may have at most 12 decimals: " + usd.toPlainString());
        }
    }

    /** Pico-USD back to USD, without trailing zeros. */
    public static BigDecimal usd(long picoUsd) {
        BigDecimal d = BigDecimal.valueOf(picoUsd, 12).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }
}
