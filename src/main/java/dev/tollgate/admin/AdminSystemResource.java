package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.ops.LogBuffer;
import dev.tollgate.ops.SystemStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Locale;
import java.util.logging.Level;

/**
 * {@code GET /admin/system}: this instance, its config file, store, recorder, streams and JVM, and
 * every instance of the fleet with its config hash. {@code GET /admin/log}: the gateway's recent log
 * lines, secrets masked when they were kept ({@code after} a line number, {@code level} at least,
 * {@code q} containing); role tollgate-admin.
 */
@Path("/admin")
@Singleton
public final class AdminSystemResource {
    static final int MAX_LINES = 500;

    private final SystemStatus system;
    private final LogBuffer log;
    private final Clock clock;

    @Inject
    public AdminSystemResource(SystemStatus system, LogBuffer log, Clock clock) {
        this.system = system;
        this.log = log;
        this.clock = clock;
    }

    @GET
    @Path("system")
    @Produces(MediaType.APPLICATION_JSON)
    public Response system() {
        return AdminJson.ok(system.json(clock.instant()));
    }

    @GET
    @Path("log")
    @Produces(MediaType.APPLICATION_JSON)
    public Response log(@QueryParam("after") String after, @QueryParam("level") String level, @QueryParam("q") String q) {
        return AdminJson.respond(() -> {
            long from = after == null || after.isBlank() ? 0 : number(after);
            Level min = level(level);
            String text = q == null ? null : q.length() > 200 ? q.substring(0, 200) : q;
            JsonArrayBuilder lines = JSON.createArrayBuilder();
            long last = from;
            for (LogBuffer.Line l : log.since(from, min, text, MAX_LINES)) {
                JsonObjectBuilder b = JSON.createObjectBuilder().add("seq", l.seq()).add("time", l.time().toString())
                        .add("level", l.level()).add("logger", l.logger()).add("message", l.message());
                if (l.requestId() != null) {
                    b.add("request_id", l.requestId());
                }
                lines.add(b);
                last = Math.max(last, l.seq());
            }
            return AdminJson.ok(JSON.createObjectBuilder().add("last", last).add("data", lines).build());
        });
    }

    /** A level name such as WARNING or SEVERE (INFO when none); anything else is a 400. */
    static Level level(String name) {
        if (name == null || name.isBlank()) {
            return Level.INFO;
        }
        return switch (name.trim().toUpperCase(Locale.ROOT)) {
            case "FINE", "DEBUG" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARNING", "WARN" -> Level.WARNING;
            case "SEVERE", "ERROR" -> Level.SEVERE;
            default -> throw AdminJson.invalid("level must be INFO, WARNING or SEVERE");
        };
    }

    private static long number(String text) {
        if (!text.matches("\\d{1,18}")) {
            throw AdminJson.invalid("after must be a line number");
        }
        return Long.parseLong(text);
    }
}
