package dev.tollgate.api;

import dev.tollgate.access.Caller;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import dev.tollgate.gateway.Reply;
import dev.tollgate.usage.Metering;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.LongFunction;

/**
 * The steps every dialect's model call takes, in order: mark it metered, admit the key, read and
 * check the body, hand it to the gateway, write the reply, or the refusal in the dialect's error format.
 */
public final class ProxyEndpoint {
    private final Gateway gateway;
    private final long maxBodyBytes;
    private final ErrorFormat errors;

    public ProxyEndpoint(Gateway gateway, RequestLimits limits, ErrorFormat errors) {
        this.gateway = gateway;
        this.maxBodyBytes = limits.maxBodyBytes();
        this.errors = errors;
    }

    public Gateway gateway() {
        return gateway;
    }

    public ErrorFormat errors() {
        return errors;
    }

    /**
     * @param headers   client headers for an upstream of the same dialect
     * @param pathModel the model when the URL names it (Gemini), with {@code pathStream}; null otherwise
     */
    public void proxy(Operation op, HttpServletRequest request, AsyncAnswer answer, Optional<String> key,
                      Map<String, String> headers, String pathModel, boolean pathStream) {
        Metering meter = Optional.ofNullable((Metering) request.getAttribute(Metering.ATTRIBUTE))
                .orElseGet(() -> new Metering(request.getRequestURI(), Instant.now(), System.nanoTime()));
        meter.modelCall();
        try {
            Caller caller = gateway.admit(key, meter);
            ProxyCall call = parse(op, caller, request, headers, pathModel, pathStream);
            gateway.call(call, meter).whenComplete((reply, error) -> {
                if (error != null) {
                    answer.reply(refusal(unwrap(error), meter));
                } else {
                    answer.reply(reply);
                }
            });
        } catch (GatewayException e) {
            answer.reply(refusal(e, meter));
        }
    }

    /**
     * Counts a call's prompt tokens, by the upstream when it speaks the dialect, else with the
     * tokenizer; not a model call, not recorded.
     *
     * @param count the dialect's answer for a count
     */
    public void countTokens(Operation op, HttpServletRequest request, AsyncAnswer answer, Optional<String> key,
                            Map<String, String> headers, String pathModel, LongFunction<String> count) {
        try {
            Caller caller = gateway.authenticate(key);
            ProxyCall call = parse(op, caller, request, headers, pathModel, false);
            gateway.countTokens(call, count).whenComplete((reply, error) -> answer.reply(error == null ? reply
                    : unwrap(error) instanceof GatewayException g ? errors.reply(g)
                    : errors.reply(502, "The upstream provider could not count the tokens.")));
        } catch (GatewayException e) {
            answer.reply(errors.reply(e));
        }
    }

    private ProxyCall parse(Operation op, Caller caller, HttpServletRequest request, Map<String, String> headers,
                            String pathModel, boolean pathStream) {
        byte[] raw;
        try {
            raw = BodyReader.read(request.getInputStream(), request.getContentLengthLong(), maxBodyBytes);
        } catch (IOException e) {
            throw BodyReader.unreadable();
        }
        boolean debug = "true".equalsIgnoreCase(request.getHeader("x-debug"));
        return pathModel == null ? ProxyRequests.parse(op, caller, raw, headers, debug)
                : ProxyRequests.parse(op, caller, raw, headers, debug, pathModel, pathStream);
    }

    private Reply.Buffered refusal(Throwable error, Metering meter) {
        GatewayException e = error instanceof GatewayException g ? g
                : new GatewayException(Failure.INTERNAL, "The gateway failed to complete the request.");
        meter.error(e.getMessage());
        return errors.reply(e);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
