package dev.tollgate.usage;

/**
 * What an upstream's usage may say before it is believed. Negative counts would give money back and
 * room under a key's token limits and budgets; counts beyond {@value #MAX_TOKENS} (no model reads or
 * writes that much in one call) would overflow costs and sums. Such counts are clamped into range
 * and the record is marked {@link UsageQuality#CLAMPED}, with the figures as reported kept beside it.
 * Parts larger than their whole (cached above prompt, reasoning above completion) are clamped too.
 */
public final class UsageSanity {
    /** The most tokens of any kind one call is believed to have used. */
    public static final long MAX_TOKENS = 100_000_000L;

    private UsageSanity() {
    }

    /** The usage to record, and the figures as reported when any had to change (null when none did). */
    public record Checked(TokenUsage usage, String reported) {
    }

    public static Checked check(TokenUsage u) {
        long prompt = clamp(u.prompt());
        long completion = clamp(u.completion());
        long cached = Math.min(clamp(u.cached()), prompt);
        long write5m = Math.min(clamp(u.cacheWrite5m()), prompt - cached);
        long write1h = Math.min(clamp(u.cacheWrite1h()), prompt - cached - write5m);
        long reasoning = Math.min(clamp(u.reasoning()), completion);
        long total = u.total() == u.prompt() + u.completion() || u.total() < 0 || u.total() > 2 * MAX_TOKENS
                ? prompt + completion : clamp(u.total());
        TokenUsage sane = new TokenUsage(prompt, completion, total, cached, reasoning, write5m, write1h);
        if (sane.equals(u)) {
            return new Checked(u, null);
        }
        return new Checked(sane, "prompt=" + u.prompt() + " completion=" + u.completion() + " total=" + u.total()
                + " cached=" + u.cached() + " reasoning=" + u.reasoning() + " cache_write_5m=" + u.cacheWrite5m()
                + " cache_write_1h=" + u.cacheWrite1h());
    }

    private static long clamp(long n) {
        return Math.max(0, Math.min(MAX_TOKENS, n));
    }
}
