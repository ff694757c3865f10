package dev.tollgate.limit;

import dev.tollgate.config.LimitSet;
import java.util.Map;

/**
 * A request refused by a limit. {@code retryAfterSeconds} says when the window will have room
 * again, {@code headers} what the caller should see (rate-limit headers and Retry-After).
 */
public final class LimitExceeded extends Exception {
    private static final long serialVersionUID = 1L;
    private final LimitSet.Kind kind;
    private final long retryAfterSeconds;
    private final transient Map<String, String> headers;

    LimitExceeded(LimitSet.Kind kind, String message, long retryAfterSeconds, Map<String, String> headers) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfterSeconds = retryAfterSeconds;
        this.headers = Map.copyOf(headers);
    }

    public LimitSet.Kind kind() {
        return kind;
    }

    /** Budgets and the total token limit are spent money, not speed: OpenAI calls that "insufficient_quota". */
    public boolean quota() {
        return kind.money() || kind == LimitSet.Kind.TOTAL_TOKENS;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
