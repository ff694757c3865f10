package dev.tollgate.metrics;
import java.math.BigDecimal;

/** Summed usage of a group of records; averages and rates derive from the sums so buckets add up exactly. */
public record Totals(long requests, long tokens, long promptTokens, long completionTokens, long reasoningTokens,
                     long cachedTokens, long failedRequests, long latencyMsSum, long costPicoUsd,
                     long unpricedRequests, long ttftMsSum, long ttftCount) {
    public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public Totals plus(Totals o) {
        return new Totals(requests + o.requests, tokens + o.tokens, promptTokens + o.promptTokens,
                completionTokens + o.completionTokens, reasoningTokens + o.reasoningTokens,
                cachedTokens + o.cachedTokens, failedRequests + o.failedRequests, latencyMsSum + o.latencyMsSum,
                costPicoUsd + o.costPicoUsd, unpricedRequests + o.unpricedRequests, ttftMsSum + o.ttftMsSum,
                ttftCount + o.ttftCount);
    }

    /** The cost in USD, exact: the stored pico-USD with the decimal point moved. */
    public BigDecimal costUsd() {
        return BigDecimal.valueOf(costPicoUsd, 12).stripTrailingZeros();
    }

    /** Share of requests that succeeded, 0..1; 0 when there were none. */
    public double successRate() {
        return requests == 0 ? 0 : (double) (requests - failedRequests) / requests;
    }

    public double avgLatencyMs() {
        return requests == 0 ? 0 : (double) latencyMsSum / requests;
    }

    /** Average time to the first byte of streamed answers (the first token); 0 when none streamed. */
    public double avgTtftMs() {
        return ttftCount == 0 ? 0 : (double) ttftMsSum / ttftCount;
    }
}
