package dev.tollgate.api.openai;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.api.ClientKeyHeader;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The OpenAI dialect's model listing, {@code GET /v1/models}; its model calls are {@link OpenAiServlet}'s. */
@Path("/v1")
@Singleton
public final class OpenAiResource {
    private final Gateway gateway;

    @Inject
    public OpenAiResource(Gateway gateway) {
        this.gateway = gateway;
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
}
