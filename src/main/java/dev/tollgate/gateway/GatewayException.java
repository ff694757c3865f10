package dev.tollgate.gateway;

/** A refusal or failure with a message fit for the client; the API layer puts it in the client's error format. */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Failure failure;
    private final String param;
    private final String code;
    private final transient java.util.Map<String, String> headers;

    public GatewayException(Failure failure, String message) {
        this(failure, message, null);
    }

    /** @param param the request field at fault, when there is one */
    public GatewayException(Failure failure, String message, String param) {
        this(failure, message, param, null, java.util.Map.of());
    }

    /**
     * @param code    a machine-readable reason more precise than the failure, when the dialect has one
     * @param headers response headers that belong to the refusal (Retry-After, rate-limit state)
     */
    public GatewayException(Failure failure, String message, String param, String code,
                            java.util.Map<String, String> headers) {
        super(message, null, false, false);
        this.failure = failure;
        this.param = param;
        this.code = code;
        this.headers = java.util.Map.copyOf(headers);
    }

    /** The precise reason, or null to let the dialect derive one from the status. */
    public String code() {
        return code;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    public Failure failure() {
        return failure;
    }

    public String param() {
        return param;
    }
}
