package dev.tollgate.api.anthropic;

import dev.tollgate.access.Caller;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.CodecErrors;
import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.api.ProxyEndpoint;
import dev.tollgate.api.ProxyRequests;
import dev.tollgate.api.ReplyWriter;
import dev.tollgate.api.RequestLimits;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Anthropic dialect: {@code POST /v1/messages} (stream or not) and
 * {@code POST /v1/messages/count_tokens}. The client key comes as {@code x-api-key}, as the
 * official SDK sends it, or as a Bearer token; {@code anthropic-version} and
 * {@code anthropic-beta} go on to Anthropic upstreams.
 */
@Path("/v1/messages")
@Singleton
public final class AnthropicResource {
    private static final String[] FORWARDED = {"anthropic-version", "anthropic-beta"};

    private final Gateway gateway;
    private final ProxyEndpoint endpoint;
    private final long maxBodyBytes;

    @Inject
    public AnthropicResource(Gateway gateway, RequestLimits limits) {
        this.gateway = gateway;
        this.endpoint = new ProxyEndpoint(gateway, limits, CodecErrors.ANTHROPIC::response);
        this.maxBodyBytes = limits.maxBodyBytes();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public void messages(@Context HttpServletRequest request, @Context HttpHeaders headers, InputStream body,
                         @Suspended AsyncResponse async) {
        endpoint.proxy(Operation.MESSAGES, request, key(headers), forwarded(headers), body, async);
    }

    /** Counted by the upstream when it speaks Anthropic, else with the tokenizer; not a model call, not recorded. */
    @POST
    @Path("count_tokens")
    @Consumes(MediaType.WILDCARD)
    public void countTokens(@Context HttpServletRequest request, @Context HttpHeaders headers, InputStream body,
                            @Suspended AsyncResponse async) {
        try {
            Caller caller = gateway.authenticate(key(headers));
            byte[] raw = BodyReader.read(body, request.getContentLengthLong(), maxBodyBytes);
            ProxyCall call = ProxyRequests.parse(Operation.MESSAGES, caller, raw, forwarded(headers), false);
            gateway.countTokens(call, n -> "{\"input_tokens\":" + n + "}").whenComplete((reply, error) -> {
                if (error == null) {
                    ReplyWriter.write(reply, async);
                } else {
                    Throwable t = error.getCause() != null ? error.getCause() : error;
                    async.resume(t instanceof GatewayException g ? CodecErrors.ANTHROPIC.response(g)
                            : CodecErrors.ANTHROPIC.response(502, "The upstream provider could not count the tokens."));
                }
            });
        } catch (GatewayException e) {
            async.resume(CodecErrors.ANTHROPIC.response(e));
        }
    }

    static Optional<String> key(HttpHeaders headers) {
        String apiKey = headers.getHeaderString("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.trim());
        }
        return ClientKeyHeader.bearer(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    private static Map<String, String> forwarded(HttpHeaders headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : FORWARDED) {
            String v = headers.getHeaderString(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }
}
