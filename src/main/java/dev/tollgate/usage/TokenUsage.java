package dev.tollgate.usage;

/**
 * Token counts of one request, normalised: {@code prompt} counts all input including cached,
 * {@code cached} the cached part; {@code completion} all output including reasoning,
 * {@code reasoning} the reasoning part.
 */
public record TokenUsage(long prompt, long completion, long total, long cached, long reasoning) {
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    public static TokenUsage of(long prompt, long completion) {
        return new TokenUsage(prompt, completion, prompt + completion, 0, 0);
    }
}
