package dev.tollgate.usage;

/**
 * Token counts of one request, normalised: {@code prompt} counts all input including cached
 * and cache writes, {@code cached} the part read from a cache; {@code completion} all output
 * including reasoning, {@code reasoning} the reasoning part; {@code cacheWrite5m} and
 * {@code cacheWrite1h} the input written to Anthropic's 5-minute and 1-hour caches (part of
 * {@code prompt}, kept apart because they are priced apart).
 */
public record TokenUsage(long prompt, long completion, long total, long cached, long reasoning, long cacheWrite5m,
                         long cacheWrite1h) {
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    /** Usage without cache writes (every provider but Anthropic). */
    public TokenUsage(long prompt, long completion, long total, long cached, long reasoning) {
        this(prompt, completion, total, cached, reasoning, 0, 0);
    }

    public static TokenUsage of(long prompt, long completion) {
        return new TokenUsage(prompt, completion, prompt + completion, 0, 0);
    }
}
