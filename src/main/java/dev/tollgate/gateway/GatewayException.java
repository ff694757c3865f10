package dev.tollgate.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

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

    /** The failure an error from calling an upstream means to the client: unreachable, too slow, or the gateway's own. */
    static GatewayException of(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (t instanceof GatewayException g) {
            return g;
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
            return new GatewayException(Failure.UPSTREAM_UNAVAILABLE, "The upstream provider could not be reached.");
        }
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
            return new GatewayException(Failure.UPSTREAM_TIMEOUT, "The upstream provider did not answer in time.");
        }
        if (t instanceof IOException) {
            return new GatewayException(Failure.UPSTREAM_UNAVAILABLE,
                    "The connection to the upstream provider failed.");
        }
        return new GatewayException(Failure.INTERNAL, "The gateway failed to complete the request.");
    }
}
