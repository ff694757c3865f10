package dev.tollgate.limit;

import static dev.tollgate.limit.SlidingWindow.REQUESTS;
import static dev.tollgate.limit.SlidingWindow.TOKENS;

import dev.tollgate.config.LimitSet.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's rate-limit headers, for the tightest request limit and the tightest token limit among
 * the allowances a request passes: {@code x-ratelimit-limit-*}, {@code -remaining-*}, and
 * {@code -reset-*} = time until the oldest counted use leaves its window (when remaining next grows).
 */
final class RateLimitHeaders {
    private RateLimitHeaders() {
    }

    /** The headers from the allowances' state now; callers hold their monitors. */
    static Map<String, String> of(List<Allowance> allowances, long now) {
        Map<String, String> out = new LinkedHashMap<>();
        tightest(allowances, now, Kind.REQUESTS_PER_MINUTE, Kind.REQUESTS_PER_DAY, REQUESTS, "requests", out);
        tightest(allowances, now, Kind.TOKENS_PER_MINUTE, Kind.TOKENS_PER_DAY, TOKENS, "tokens", out);
        return out;
    }

    private static void tightest(List<Allowance> allowances, long now, Kind perMinute, Kind perDay, int measure,
                                 String name, Map<String, String> out) {
        long bestLimit = -1;
        long bestRemaining = Long.MAX_VALUE;
        long bestReset = 0;
        for (Allowance a : allowances) {
            for (Kind k : new Kind[] {perMinute, perDay}) {
                if (!a.limits().has(k)) {
                    continue;
                }
                SlidingWindow w = k == perMinute ? a.minute : a.day;
                w.advance(now);
                long limit = a.limits().get(k).getAsLong();
                long remaining = Math.max(0, limit - w.sum(measure));
                if (remaining < bestRemaining) {
                    bestLimit = limit;
                    bestRemaining = remaining;
                    bestReset = w.sum(measure) > 0 ? w.millisUntilFreed(now, measure, 1) : 0;
                }
            }
        }
        if (bestLimit >= 0) {
            out.put("x-ratelimit-limit-" + name, Long.toString(bestLimit));
            out.put("x-ratelimit-remaining-" + name, Long.toString(bestRemaining));
            out.put("x-ratelimit-reset-" + name, duration(bestReset));
        }
    }

    /** OpenAI's (Go's) duration style, whole seconds rounded up: 0s, 12s, 1m30s, 2h0m5s. */
    static String duration(long millis) {
        long s = seconds(millis);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    /** Whole seconds, rounded up. */
    static long seconds(long millis) {
        return Math.max(0, (millis + 999) / 1000);
    }
}
