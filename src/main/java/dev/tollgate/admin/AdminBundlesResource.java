package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.bundle.Bundles;
import dev.tollgate.usage.CallFilter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /admin/bundles} (role tollgate-admin): {@code GET ?from=&to=&model=&key=&user=} downloads a
 * bundle of those calls (usage records and request log; see {@link Bundles}), streamed as it is
 * read; {@code POST} with a bundle as the body imports it and answers what it added and skipped.
 * An upload is written to a temporary file first (at most {@link #MAX_UPLOAD} bytes), because a
 * bundle is checked whole before anything of it is written.
 */
@Path("/admin/bundles")
@Singleton
public final class AdminBundlesResource {
    private static final Logger LOG = Logger.getLogger(AdminBundlesResource.class.getName());
    static final long MAX_UPLOAD = 8L * 1024 * 1024 * 1024;

    private final Bundles bundles;

    @Inject
    public AdminBundlesResource(Bundles bundles) {
        this.bundles = bundles;
    }

    @GET
    public Response export(@Context UriInfo uri) {
        CallFilter filter;
        try {
            filter = Bundles.filter(uri.getQueryParameters()::getFirst);
        } catch (IllegalArgumentException e) {
            return AdminJson.error(AdminJson.invalid(e.getMessage()));
        }
        StreamingOutput body = out -> bundles.export(filter, out);
        String name = "tollgate-bundle-" + Instant.ofEpochMilli(filter.fromMs()).toString().replace(':', '-') + "--"
                + Instant.ofEpochMilli(filter.toMs()).toString().replace(':', '-') + ".zip";
        return Response.ok(body, "application/zip").header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .build();
    }

    @POST
    public Response importBundle(InputStream body) {
        File file = null;
        try {
            file = File.createTempFile("tollgate-bundle-", ".zip");
            if (copy(body, file) > MAX_UPLOAD) {
                return AdminJson.error(AdminJson.invalid("a bundle upload is limited to " + MAX_UPLOAD + " bytes"));
            }
            return AdminJson.ok(bundles.importFrom(file.toPath()).json());
        } catch (Bundles.Refused e) {
            return AdminJson.error(AdminJson.invalid("The bundle was refused: " + e.getMessage()));
        } catch (IOException | SQLException e) {
            LOG.log(Level.WARNING, "tollgate: a bundle import failed", e);
            return Response.status(500).type(MediaType.APPLICATION_JSON).entity(JSON.createObjectBuilder().add("error",
                    JSON.createObjectBuilder().add("message", "The bundle could not be imported: " + e.getMessage()
                            + "; run the import again to finish it (nothing is imported twice)").add("type", "api_error"))
                    .build().toString()).build();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file.toPath());
                } catch (IOException e) {
                    LOG.warning("tollgate: could not remove " + file + ": " + e.getMessage());
                }
            }
        }
    }

    /** Copies the upload to the file, stopping one byte past the limit; returns the bytes copied. */
    private static long copy(InputStream in, File file) throws IOException {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file.toPath())) {
            for (int n = in.read(buf); n >= 0 && total <= MAX_UPLOAD; n = in.read(buf)) {
                out.write(buf, 0, n);
                total += n;
            }
        }
        return total;
    }
}
