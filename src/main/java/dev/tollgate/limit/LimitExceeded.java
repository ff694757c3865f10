package dev.tollgate.limit;

import dev.tollgate.config.LimitSet;
import java.util.Map;

/**
 * A request refused by a limit. {@code retryAfterSeconds} says when the window will have room
 * again, {@code headers} what the caller should see (rate-limit headers and Retry-After).
 */
public final class LimitExceeded extends Exception {
    private static final long serialVersionUID = 1L;
    /** Null when no limit was reached but a budget could not count the call ({@link #unpriced}). */
    private final LimitSet.Kind kind;
    private final long retryAfterSeconds;
    private final transient Map<String, String> headers;

    LimitExceeded(LimitSet.Kind kind, String message, long retryAfterSeconds, Map<String, String> headers) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfterSeconds = retryAfterSeconds;
        this.headers = Map.copyOf(headers);
    }

    /** A call that a budget applies to, on a model without a price, where the config refuses such calls. */
    static LimitExceeded unpriced(String message) {
        return new LimitExceeded(null, message, 0, Map.of());
    }

    /** True for {@link #unpriced}: a refusal by policy (403), not a spent limit (429). */
    public boolean unpriced() {
        return kind == null;
    }

    public LimitSet.Kind kind() {
        return kind;
    }

    /** Budgets and the total token limit are spent money, not speed: OpenAI calls that "insufficient_quota". */
    public boolean quota() {
        return kind != null && (kind.money() || kind == LimitSet.Kind.TOTAL_TOKENS);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
