package dev.tollgate.api;

/** Limits the API layer enforces before a request reaches the gateway. */
public record RequestLimits(long maxBodyBytes) {
}
