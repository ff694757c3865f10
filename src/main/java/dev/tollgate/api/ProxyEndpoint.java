package dev.tollgate.api;

import dev.tollgate.access.Caller;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import dev.tollgate.usage.Metering;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The steps every dialect's model call takes, in order: mark it metered, admit the key, read and
 * check the body, hand it to the gateway, write the reply, or the refusal in the dialect's error format.
 */
public final class ProxyEndpoint {
    private final Gateway gateway;
    private final long maxBodyBytes;
    private final Function<GatewayException, Response> errors;

    /** @param errors how the dialect words a refusal */
    public ProxyEndpoint(Gateway gateway, RequestLimits limits, Function<GatewayException, Response> errors) {
        this.gateway = gateway;
        this.maxBodyBytes = limits.maxBodyBytes();
        this.errors = errors;
    }

    /** @param headers client headers for an upstream of the same dialect */
    public void proxy(Operation op, HttpServletRequest request, Optional<String> key, Map<String, String> headers,
                      InputStream body, AsyncResponse async) {
        proxy(op, request, key, headers, body, async, null, false);
    }

    /** @param pathModel the model when the URL names it (Gemini), with {@code pathStream}; null otherwise */
    public void proxy(Operation op, HttpServletRequest request, Optional<String> key, Map<String, String> headers,
                      InputStream body, AsyncResponse async, String pathModel, boolean pathStream) {
        Metering meter = Optional.ofNullable((Metering) request.getAttribute(Metering.ATTRIBUTE))
                .orElseGet(() -> new Metering(request.getRequestURI(), Instant.now(), System.nanoTime()));
        meter.modelCall();
        try {
            Caller caller = gateway.admit(key, meter);
            byte[] raw = BodyReader.read(body, request.getContentLengthLong(), maxBodyBytes);
            boolean debug = "true".equalsIgnoreCase(request.getHeader("x-debug"));
            ProxyCall call = pathModel == null ? ProxyRequests.parse(op, caller, raw, headers, debug)
                    : ProxyRequests.parse(op, caller, raw, headers, debug, pathModel, pathStream);
            gateway.call(call, meter).whenComplete((reply, error) -> {
                if (error != null) {
                    async.resume(refusal(unwrap(error), meter));
                } else {
                    ReplyWriter.write(reply, async);
                }
            });
        } catch (GatewayException e) {
            async.resume(refusal(e, meter));
        }
    }

    private Response refusal(Throwable error, Metering meter) {
        GatewayException e = error instanceof GatewayException g ? g
                : new GatewayException(Failure.INTERNAL, "The gateway failed to complete the request.");
        meter.error(e.getMessage());
        return errors.apply(e);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
