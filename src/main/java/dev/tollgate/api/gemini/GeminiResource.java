package dev.tollgate.api.gemini;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.CodecErrors;
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
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
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
 * The Gemini dialect: {@code POST /v1beta/models/{model}:generateContent},
 * {@code :streamGenerateContent?alt=sse}, {@code :countTokens} and {@code GET /v1beta/models}.
 * The client key comes as {@code x-goog-api-key}, as the google-genai SDK sends it, or {@code ?key=}.
 */
@Path("/v1beta/models")
@Singleton
public final class GeminiResource {
    private final Gateway gateway;
    private final ProxyEndpoint endpoint;
    private final long maxBodyBytes;

    @Inject
    public GeminiResource(Gateway gateway, RequestLimits limits) {
        this.gateway = gateway;
        this.endpoint = new ProxyEndpoint(gateway, limits, CodecErrors.GEMINI::response);
        this.maxBodyBytes = limits.maxBodyBytes();
    }

    @GET
    public Response list(@Context HttpHeaders headers, @QueryParam("key") String key) {
        try {
            gateway.authenticate(key(headers, key));
        } catch (GatewayException e) {
            return CodecErrors.GEMINI.response(e);
        }
        JsonArrayBuilder models = JSON.createArrayBuilder();
        gateway.models().forEach(m -> models.add(JSON.createObjectBuilder().add("name", "models/" + m.id())
                .add("displayName", m.id()).add("supportedGenerationMethods", JSON.createArrayBuilder()
                        .add("generateContent").add("streamGenerateContent").add("countTokens"))));
        return Response.ok(JSON.createObjectBuilder().add("models", models).build().toString(), MediaType.APPLICATION_JSON)
                .build();
    }

    @POST
    @Path("{target}")
    @Consumes(MediaType.WILDCARD)
    public void call(@PathParam("target") String target, @QueryParam("key") String key, @QueryParam("alt") String alt,
                     @Context HttpServletRequest request, @Context HttpHeaders headers, InputStream body,
                     @Suspended AsyncResponse async) {
        int colon = target.lastIndexOf(':');
        String model = colon > 0 ? target.substring(0, colon) : target;
        String action = colon > 0 ? target.substring(colon + 1) : "";
        switch (action) {
            case "generateContent" -> endpoint.proxy(Operation.GENERATE_CONTENT, request, key(headers, key), Map.of(),
                    body, async, model, false);
            case "streamGenerateContent" -> {
                if (!"sse".equals(alt)) {
                    async.resume(CodecErrors.GEMINI.response(400, "Only server-sent-event streams are served: add ?alt=sse."));
                    return;
                }
                endpoint.proxy(Operation.GENERATE_CONTENT, request, key(headers, key), Map.of(), body, async, model, true);
            }
            case "countTokens" -> countTokens(model, key(headers, key), request, body, async);
            default -> async.resume(CodecErrors.GEMINI.response(404, "Unknown method '" + action + "' for models/" + model
                    + ": use generateContent, streamGenerateContent or countTokens."));
        }
    }

    /** Counted by the Gemini upstream that would serve the model, else with the tokenizer; not recorded. */
    private void countTokens(String model, Optional<String> key, HttpServletRequest request, InputStream body,
                             AsyncResponse async) {
        try {
            Caller caller = gateway.authenticate(key);
            byte[] raw = BodyReader.read(body, request.getContentLengthLong(), maxBodyBytes);
            ProxyCall call = ProxyRequests.parse(Operation.GENERATE_CONTENT, caller, raw, Map.of(), false, model, false);
            gateway.countTokens(call, n -> "{\"totalTokens\":" + n + "}").whenComplete((reply, error) -> {
                if (error == null) {
                    ReplyWriter.write(reply, async);
                } else {
                    Throwable t = error.getCause() != null ? error.getCause() : error;
                    async.resume(t instanceof GatewayException g ? CodecErrors.GEMINI.response(g)
                            : CodecErrors.GEMINI.response(502, "The upstream provider could not count the tokens."));
                }
            });
        } catch (GatewayException e) {
            async.resume(CodecErrors.GEMINI.response(e));
        }
    }

    private static Optional<String> key(HttpHeaders headers, String queryKey) {
        String header = headers.getHeaderString("x-goog-api-key");
        if (header != null && !header.isBlank()) {
            return Optional.of(header.trim());
        }
        return Optional.ofNullable(queryKey).filter(k -> !k.isBlank());
    }
}
