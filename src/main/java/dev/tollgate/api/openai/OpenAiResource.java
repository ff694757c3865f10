package dev.tollgate.api.openai;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.api.ReplyWriter;
import dev.tollgate.api.RequestLimits;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import dev.tollgate.usage.Metering;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The OpenAI dialect: {@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}
 * and {@code /v1/models}. Thin: read and check the body, hand it to the gateway, write its reply.
 */
@Path("/v1")
@Singleton
public final class OpenAiResource {
    private final Gateway gateway;
    private final long maxBodyBytes;

    @Inject
    public OpenAiResource(Gateway gateway, RequestLimits limits) {
        this.gateway = gateway;
        this.maxBodyBytes = limits.maxBodyBytes();
    }

    @POST
    @Path("chat/completions")
    @Consumes(MediaType.WILDCARD)
    public void chatCompletions(@Context HttpServletRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                InputStream body, @Suspended AsyncResponse async) {
        proxy(Operation.CHAT_COMPLETIONS, request, auth, body, async);
    }

    @POST
    @Path("completions")
    @Consumes(MediaType.WILDCARD)
    public void completions(@Context HttpServletRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                            InputStream body, @Suspended AsyncResponse async) {
        proxy(Operation.COMPLETIONS, request, auth, body, async);
    }

    @POST
    @Path("embeddings")
    @Consumes(MediaType.WILDCARD)
    public void embeddings(@Context HttpServletRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                           InputStream body, @Suspended AsyncResponse async) {
        proxy(Operation.EMBEDDINGS, request, auth, body, async);
    }

    @GET
    @Path("models")
    public Response models(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        try {
            gateway.authenticate(ClientKeyHeader.bearer(auth));
        } catch (GatewayException e) {
            return OpenAiErrors.response(e);
        }
        JsonArrayBuilder data = JSON.createArrayBuilder();
        gateway.models().forEach(m -> data.add(JSON.createObjectBuilder().add("id", m.id()).add("object", "model")
                .add("created", 0).add("owned_by", m.ownedBy())));
        String json = JSON.createObjectBuilder().add("object", "list").add("data", data).build().toString();
        return Response.ok(json, MediaType.APPLICATION_JSON).build();
    }

    private void proxy(Operation op, HttpServletRequest request, String auth, InputStream body, AsyncResponse async) {
        Metering meter = Optional.ofNullable((Metering) request.getAttribute(Metering.ATTRIBUTE))
                .orElseGet(() -> new Metering(request.getRequestURI(), Instant.now(), System.nanoTime()));
        meter.modelCall();
        try {
            Caller caller = gateway.admit(ClientKeyHeader.bearer(auth), meter);
            byte[] raw = BodyReader.read(body, request.getContentLengthLong(), maxBodyBytes);
            ProxyCall call = OpenAiRequests.parse(op, caller, raw);
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

    private static Response refusal(Throwable error, Metering meter) {
        GatewayException e = error instanceof GatewayException g ? g
                : new GatewayException(dev.tollgate.gateway.Failure.INTERNAL, "The gateway failed to complete the request.");
        meter.error(e.getMessage());
        return OpenAiErrors.response(e);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
