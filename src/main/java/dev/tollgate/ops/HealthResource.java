package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /_qs/health}: open to all, 200 when the database answers, 503 when it does not. */
@Path("/_qs/health")
@Singleton
public final class HealthResource {
    private final Probe health;

    @Inject
    public HealthResource(Probe health) {
        this.health = health;
    }

    /** Takes a health snapshot; wired by the app, which sees every part. */
    @FunctionalInterface
    public interface Probe {
        Health get();
    }

    /** A snapshot of what health reports. */
    public record Health(String version, String instanceId, String persistence, boolean statisticsEnabled, boolean persistenceEnabled,
                         long totalRecordsPersisted, int queueDepth, long droppedRecords, boolean databaseUp,
                         String databaseError, int openStreams) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        Health h = health.get();
        JsonObjectBuilder db = JSON.createObjectBuilder().add("status", h.databaseUp() ? "up" : "down");
        if (h.databaseError() != null) {
            db.add("error", h.databaseError());
        }
        String body = JSON.createObjectBuilder()
                .add("ok", h.databaseUp())
                .add("version", h.version())
                .add("instance_id", h.instanceId())
                .add("persistence", h.persistence())
                .add("statistics_enabled", h.statisticsEnabled())
                .add("persistence_enabled", h.persistenceEnabled())
                .add("total_records_persisted", h.totalRecordsPersisted())
                .add("queue_depth", h.queueDepth())
                .add("dropped_records", h.droppedRecords())
                .add("open_streams", h.openStreams())
                .add("database", db)
                .build().toString();
        return Response.status(h.databaseUp() ? 200 : 503).entity(body).type(MediaType.APPLICATION_JSON).build();
    }
}
