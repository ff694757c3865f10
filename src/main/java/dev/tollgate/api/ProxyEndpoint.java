package dev.tollgate.api;

import dev.tollgate.access.Caller;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import dev.tollgate.gateway.Reply;
import dev.tollgate.logs.LogCapture;
import dev.tollgate.logs.Transcript;
import dev.tollgate.usage.Metering;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The steps every dialect's model call takes, in order: mark it metered, admit the key, read and
 * check the body, hand it to the gateway, write the reply, or the refusal in the dialect's error format.
 */
public final class ProxyEndpoint {
    private static final Logger LOG = Logger.getLogger(ProxyEndpoint.class.getName());
    private final Gateway gateway;
    private final BodyReader bodies;
    private final ProxyRequests requests;
    private final ErrorFormat errors;
    private final LogCapture logs;

    /** @param logs the request log, which takes each call's transcript when it is on */
    public ProxyEndpoint(Gateway gateway, BodyReader bodies, ErrorFormat errors, LogCapture logs) {
        this.gateway = gateway;
        this.logs = logs;
        this.bodies = bodies;
        this.requests = new ProxyRequests(bodies.limits());
        this.errors = errors;
    }

    public Gateway gateway() {
        return gateway;
    }

    public ErrorFormat errors() {
        return errors;
    }

    /** Checks a model name the URL carries before anything uses it (Gemini). */
    public void checkModel(String model) {
        requests.checkModel(model, "model");
    }

    /**
     * @param headers   client headers for an upstream of the same dialect
     * @param pathModel the model when the URL names it (Gemini), with {@code pathStream}; null otherwise
     */
    public void proxy(Operation op, HttpServletRequest request, AsyncAnswer answer, Optional<String> key,
                      Map<String, String> headers, String pathModel, boolean pathStream) {
        Metering meter = (Metering) request.getAttribute(Metering.ATTRIBUTE);
        if (meter == null) { // a call nobody would record: refused, and said loudly, rather than served unseen
            LOG.severe("tollgate: a model call reached " + request.getRequestURI() + " without a meter: the metering "
                    + "filter is not mapped to this servlet; the call is refused");
            answer.reply(errors.reply(500, "The gateway is misconfigured: this call could not be recorded."));
            return;
        }
        meter.modelCall();
        Transcript transcript = logs.open(Gateway.chatCodec(op));
        if (transcript != null) {
            String named = request.getHeader("x-tollgate-conversation-id");
            transcript.conversationHint(named != null ? named : request.getHeader("Helicone-Session-Id"));
            answer.transcribe(transcript);
            meter.afterRecord(record -> logs.recorded(transcript, record));
        }
        Caller caller;
        try {
            caller = gateway.admit(key, meter);
        } catch (GatewayException e) {
            answer.reply(refusal(e, meter));
            return;
        }
        boolean debug = "true".equalsIgnoreCase(request.getHeader("x-debug"));
        bodies.read(request).thenCompose(raw -> {
            answer.bodyRead();
            if (transcript != null) {
                transcript.request(raw);
            }
            ProxyCall call = parse(op, caller, raw, headers, debug, pathModel, pathStream);
            if (call.stream()) {
                answer.expectStream();
            }
            if (transcript != null) {
                logs.announce(transcript, meter.id(), call.body(), caller, Instant.now());
            }
            return gateway.call(call, meter);
        }).whenComplete((reply, error) -> answer.reply(error != null ? refusal(unwrap(error), meter) : reply));
    }

    /**
     * Counts a call's prompt tokens, by the upstream when it speaks the dialect, else with the
     * tokenizer; not a model call, not recorded.
     *
     * @param count the dialect's answer for a count
     */
    public void countTokens(Operation op, HttpServletRequest request, AsyncAnswer answer, Optional<String> key,
                            Map<String, String> headers, String pathModel, LongFunction<String> count) {
        Caller caller;
        try {
            caller = gateway.authenticate(key);
        } catch (GatewayException e) {
            answer.reply(errors.reply(e));
            return;
        }
        bodies.read(request).thenCompose(raw -> {
            answer.bodyRead();
            return gateway.countTokens(parse(op, caller, raw, headers, false, pathModel, false), count);
        }).whenComplete((reply, error) -> answer.reply(error == null ? reply
                : unwrap(error) instanceof GatewayException g ? errors.reply(g)
                : errors.reply(502, "The upstream provider could not count the tokens.")));
    }

    /**
     * A request about state the provider keeps ({@link Gateway#storedResponse}); not a model call.
     * A POST (a cancel) is metered like every POST, so its record names the caller.
     */
    public void storedState(String method, String upstreamPath, HttpServletRequest request, AsyncAnswer answer,
                            Optional<String> key) {
        try {
            if (request.getAttribute(Metering.ATTRIBUTE) instanceof Metering meter) {
                gateway.admit(key, meter);
            } else {
                gateway.authenticate(key);
            }
            gateway.storedResponse(method, upstreamPath).whenComplete((reply, error) -> answer.reply(error == null ? reply
                    : unwrap(error) instanceof GatewayException g ? errors.reply(g)
                    : errors.reply(502, "The upstream provider could not be reached.")));
        } catch (GatewayException e) {
            answer.reply(errors.reply(e));
        }
    }

    private ProxyCall parse(Operation op, Caller caller, byte[] raw, Map<String, String> headers, boolean debug,
                            String pathModel, boolean pathStream) {
        return pathModel == null ? requests.parse(op, caller, raw, headers, debug)
                : requests.parse(op, caller, raw, headers, debug, pathModel, pathStream);
    }

    /** A refusal in the dialect's format, carrying the id of the record it leaves. */
    private Reply.Buffered refusal(Throwable error, Metering meter) {
        GatewayException e = error instanceof GatewayException g ? g
                : new GatewayException(Failure.INTERNAL, "The gateway failed to complete the request.");
        if (!(error instanceof GatewayException)) {
            LOG.log(Level.SEVERE, "tollgate: unexpected error in a model call", error);
        }
        meter.error(e.getMessage());
        Reply.Buffered reply = errors.reply(e);
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.put("x-tollgate-request-id", meter.id());
        return new Reply.Buffered(reply.status(), reply.contentType(), headers, reply.body());
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
