package dev.tollgate.usage;

/**
 * What a record cost, and the prices it was charged at, all in pico-USD (10⁻¹² USD) so that
 * they are exact integers: a price of $2.50 per million tokens is 2,500,000 pico-USD per token.
 * Kept with the record, so a later price change never rewrites history.
 */
public record Charge(long costPicoUsd, long inputPerToken, long outputPerToken, long cachedInputPerToken,
                     long cacheWrite5mPerToken, long cacheWrite1hPerToken) {

    /** A charge at prices without cache writes (they cost the input price). */
    public Charge(long costPicoUsd, long inputPerToken, long outputPerToken, long cachedInputPerToken) {
        this(costPicoUsd, inputPerToken, outputPerToken, cachedInputPerToken, inputPerToken, inputPerToken);
    }
}
