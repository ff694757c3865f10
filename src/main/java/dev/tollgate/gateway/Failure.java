package dev.tollgate.gateway;

/** Why the gateway refused or could not complete a call, and the HTTP status that says so. */
public enum Failure {
    AUTHENTICATION(401),
    INVALID_REQUEST(400),
    /** A policy refuses this caller the call (a budget that cannot count a model without a price). */
    FORBIDDEN(403),
    MODEL_NOT_FOUND(404),
    /** The client sent its body too slowly or not within the deadline. */
    REQUEST_TIMEOUT(408),
    PAYLOAD_TOO_LARGE(413),
    RATE_LIMITED(429),
    UPSTREAM_UNAVAILABLE(502),
    UPSTREAM_TIMEOUT(504),
    INTERNAL(500);

    private final int status;

    Failure(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
