package dev.tollgate.usage;

import java.util.Locale;

/** How good a record's token numbers are. */
public enum UsageQuality {
    /** The upstream's own usage fields. */
    REPORTED,
    /** The upstream sent none; counted with a tokenizer. */
    ESTIMATED,
    /** The stream ended before its usage arrived; what was seen, counted with a tokenizer. */
    PARTIAL,
    /** No model call took place (refused before the upstream): zero tokens, truly. */
    NONE,
    /**
     * The upstream reported impossible counts (negative, beyond {@link UsageSanity#MAX_TOKENS}, a part
     * larger than its whole); they were clamped and the record keeps the figures as reported.
     */
    CLAMPED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
