package dev.tollgate.gateway;
import java.util.Map;

/** A refusal or failure with a message fit for the client; the API layer puts it in the client's error format. */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Failure failure;
    private final String param;
    private final String code;
    private final transient Map<String, String> headers;

    public GatewayException(Failure failure, String message) {
        this(failure, message, null);
    }

    /** @param param the request field at fault, when there is one */
    public GatewayException(Failure failure, String message, String param) {
        this(failure, message, param, null, Map.of());
    }

    /**
     * @param code    a machine-readable reason more precise than the failure, when the dialect has one
     * @param headers response headers that belong to the refusal (Retry-After, rate-limit state)
     */
    public GatewayException(Failure failure, String message, String param, String code,
                            Map<String, String> headers) {
        super(message, null, false, false);
        this.failure = failure;
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    /** The precise reason, or null to let the dialect derive one from the status. */
    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Failure failure() {
        return failure;
    }

    public String param() {
        return param;
    }
}
