package dev.tollgate.api.openai;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.api.ProxyEndpoint;
import dev.tollgate.api.RequestLimits;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
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
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAI dialect: {@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}
 * and {@code /v1/models}. Thin: read and check the body, hand it to the gateway, write its reply.
 */
@Path("/v1")
@Singleton
public final class OpenAiResource {
    private final Gateway gateway;
    private final ProxyEndpoint endpoint;

    @Inject
    public OpenAiResource(Gateway gateway, RequestLimits limits) {
        this.gateway = gateway;
        this.endpoint = new ProxyEndpoint(gateway, limits, OpenAiErrors::response);
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
    @Path("responses")
    @Consumes(MediaType.WILDCARD)
    public void responses(@Context HttpServletRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                          InputStream body, @Suspended AsyncResponse async) {
        proxy(Operation.RESPONSES, request, auth, body, async);
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
        endpoint.proxy(op, request, ClientKeyHeader.bearer(auth), Map.of(), body, async);
    }
}
