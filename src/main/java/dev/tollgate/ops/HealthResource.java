package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.LiveConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Locale;

/**
 * {@code GET /_qs/health}: open to all; 200 when usage is being recorded, 503 when it is not (the
 * database does not answer, or refuses the writer's batches, or the writer or journal has failed),
 * with the real cause. It reads the writer's own state (last commit, last failure, records waiting),
 * not only a probe query: a database that answers reads but cannot take writes (a full disk) is
 * degraded, not up. {@code GET /health} answers the same: the path the seed systems' load balancers probe.
 */
@Path("/")
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
    public record Health(String version, String instanceId, String persistence, boolean statisticsEnabled,
                         boolean persistenceEnabled, long totalRecordsPersisted, int queueDepth, long droppedRecords,
                         int openStreams, Database database, Recorder recorder, Journal journal, Logs logs,
                         LiveConfig.Status config) {
        /** Whether usage is being recorded as it should (and the request log, when it is on, is written). */
        public boolean ok() {
            return database.status() == DatabaseStatus.UP && recorder.running()
                    && (journal == null || journal.error() == null) && (logs == null || logs.running());
        }
    }

    /**
     * The request log's writer, when logs are on.
     *
     * @param dropped calls not logged because the queue was full or their batch failed (never usage records)
     */
    public record Logs(boolean running, long written, long dropped, int waiting, long waitingBytes, String lastError) {
    }

    public enum DatabaseStatus { UP, DEGRADED, DOWN }

    /** @param error the database's own message when it is not up */
    public record Database(DatabaseStatus status, String error) {
    }

    /** The batch writer's state: what it last managed, what it last failed at, what waits. */
    public record Recorder(boolean running, Instant lastCommit, String lastError, long writeFailures, long deferred) {
    }

    /** The journal's state (journaled mode only). */
    public record Journal(int waiting, int segments, long appended, Instant lastSync, String error, long failures) {
    }

    @GET
    @Path("_qs/health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        return health();
    }

    @GET
    @Path("health")
    @Produces(MediaType.APPLICATION_JSON)
    public Response seedPath() {
        return health();
    }

    private Response health() {
        Health h = health.get();
        JsonObjectBuilder db = JSON.createObjectBuilder().add("status", h.database().status().name().toLowerCase(
                Locale.ROOT));
        if (h.database().error() != null) {
            db.add("error", h.database().error());
        }
        Recorder r = h.recorder();
        JsonObjectBuilder recorder = JSON.createObjectBuilder()
                .add("running", r.running())
                .add("records_waiting", h.queueDepth())
                .add("last_commit", time(r.lastCommit()))
                .add("last_error", r.lastError() == null ? JsonValue.NULL : JSON.createValue(r.lastError()))
                .add("write_failures", r.writeFailures())
                .add("deferred_to_journal", r.deferred());
        JsonObjectBuilder body = JSON.createObjectBuilder()
                .add("ok", h.ok())
                .add("version", h.version())
                .add("instance_id", h.instanceId())
                .add("persistence", h.persistence())
                .add("statistics_enabled", h.statisticsEnabled())
                .add("persistence_enabled", h.persistenceEnabled())
                .add("durability", h.journal() == null ? "buffered" : "journaled")
                .add("total_records_persisted", h.totalRecordsPersisted())
                .add("queue_depth", h.queueDepth())
                .add("dropped_records", h.droppedRecords())
                .add("open_streams", h.openStreams())
                .add("database", db)
                .add("recorder", recorder)
                .add("config", config(h.config()));
        if (h.journal() != null) {
            Journal j = h.journal();
            body.add("journal", JSON.createObjectBuilder()
                    .add("records_waiting", j.waiting())
                    .add("segments", j.segments())
                    .add("appended", j.appended())
                    .add("last_sync", time(j.lastSync()))
                    .add("error", j.error() == null ? JsonValue.NULL : JSON.createValue(j.error()))
                    .add("failures", j.failures()));
        }
        if (h.logs() != null) {
            Logs l = h.logs();
            body.add("logs", JSON.createObjectBuilder()
                    .add("running", l.running())
                    .add("written", l.written())
                    .add("dropped", l.dropped())
                    .add("calls_waiting", l.waiting())
                    .add("bytes_waiting", l.waitingBytes())
                    .add("last_error", l.lastError() == null ? JsonValue.NULL : JSON.createValue(l.lastError())));
        }
        return Response.status(h.ok() ? 200 : 503).entity(body.build().toString()).type(MediaType.APPLICATION_JSON)
                .build();
    }

    /** The config file's state: where, when loaded, its hash (compare instances for drift), the last refused reload. */
    public static JsonObjectBuilder config(LiveConfig.Status s) {
        return JSON.createObjectBuilder().add("source", s.source()).add("loaded_at", s.loadedAt().toString())
                .add("hash", s.hash()).add("last_error", s.lastError().<JsonValue>map(e -> JSON.createObjectBuilder()
                        .add("at", e.at().toString()).add("message", e.message()).build()).orElse(JsonValue.NULL));
    }

    private static JsonValue time(Instant t) {
        return t == null ? JsonValue.NULL : JSON.createValue(t.toString());
    }
}
