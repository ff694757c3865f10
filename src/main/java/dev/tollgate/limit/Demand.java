package dev.tollgate.limit;

/** What one request is expected to use, reserved against token limits and budgets before the call. */
public record Demand(long tokens, long costPicoUsd) {
    static final Demand NOTHING = new Demand(0, 0);
}
