package dev.tollgate.gateway;

/** A refusal or failure with a message fit for the client; the API layer puts it in the client's error format. */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Failure failure;
    private final String param;

    public GatewayException(Failure failure, String message) {
        this(failure, message, null);
    }

    /** @param param the request field at fault, when there is one */
    public GatewayException(Failure failure, String message, String param) {
        super(message, null, false, false);
        this.failure = failure;
        this.param = param;
    }

    public Failure failure() {
        return failure;
    }

    public String param() {
        return param;
    }
}
