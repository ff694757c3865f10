package dev.tollgate.api;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.api.openai.OpenAiErrors;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Last line for anything a resource did not answer itself (unknown path, wrong method, a bug):
 * below {@code /v1beta} the Gemini servlet answers everything itself.
 * the caller's own error format and status, never a stack trace. Unexpected errors are logged.
 */
public final class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

    @Context
    private UriInfo uri;

    @Override
    public Response toResponse(Throwable error) {
        int status;
        String message;
        if (error instanceof WebApplicationException w) {
            status = w.getResponse().getStatus();
            message = switch (status) {
                case 404 -> "Unknown request URL: " + uri.getRequestUri().getPath();
                case 405 -> "Method not allowed for " + uri.getRequestUri().getPath();
                case 415 -> "Unsupported content type.";
                default -> w.getResponse().getStatusInfo().getReasonPhrase();
            };
        } else {
            status = 500;
            message = "The gateway failed to complete the request.";
            LOG.log(Level.SEVERE, "tollgate: unexpected error on " + uri.getPath(), error);
        }
        String path = uri.getPath();
        if (path.startsWith("v1/messages") || path.startsWith("/v1/messages")) {
            return CodecErrors.ANTHROPIC.response(status, message);
        }
        if (path.startsWith("v1/") || path.startsWith("/v1/")) {
            return OpenAiErrors.response(status, message, null);
        }
        String body = JSON.createObjectBuilder().add("error", JSON.createObjectBuilder().add("message", message))
                .build().toString();
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON).build();
    }
}
