package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.LiveConfig;
import dev.tollgate.store.FleetInstances;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What the System page and {@code GET /admin/system} show: this instance (version, uptime, JVM
 * heap and threads), the config file (source, hash, last reload, last refused one), the store and
 * recorder (from health), open streams, and every instance of the fleet with its config hash.
 */
public final class SystemStatus {
    /** An instance not heard from for this long is shown as gone. */
    static final Duration GONE_AFTER = Duration.ofSeconds(45);

    private final HealthResource.Probe health;
    private final LiveConfig config;
    private final FleetInstances fleet;
    private final Instant startedAt;
    private final String telemetry;

    /** @param telemetry what OpenTelemetry does here: "off", or where it exports and how */
    public SystemStatus(HealthResource.Probe health, LiveConfig config, FleetInstances fleet, Instant startedAt,
                        String telemetry) {
        this.health = health;
        this.config = config;
        this.fleet = fleet;
        this.startedAt = startedAt;
        this.telemetry = telemetry;
    }

    /** The status as JSON, for the API and (through the same figures) the page. */
    public JsonObject json(Instant now) {
        HealthResource.Health h = health.get();
        Runtime rt = Runtime.getRuntime();
        JsonArrayBuilder instances = JSON.createArrayBuilder();
        for (FleetInstances.Instance i : instances(now)) {
            instances.add(JSON.createObjectBuilder().add("instance_id", i.id()).add("version", i.version())
                    .add("config_hash", i.configHash()).add("config_loaded_at", i.configLoadedAt().toString())
                    .add("started_at", i.startedAt().toString()).add("seen_at", i.seenAt().toString())
                    .add("state", i.seenAt().isBefore(now.minus(GONE_AFTER)) ? "gone" : "up")
                    .add("config_matches", i.configHash().equals(config.status().hash())));
        }
        return JSON.createObjectBuilder()
                .add("version", h.version())
                .add("instance_id", h.instanceId())
                .add("started_at", startedAt.toString())
                .add("uptime_seconds", Duration.between(startedAt, now).toSeconds())
                .add("config", HealthResource.config(config.status()))
                .add("database", JSON.createObjectBuilder().add("kind", h.persistence())
                        .add("status", h.database().status().name().toLowerCase(Locale.ROOT)))
                .add("recorder", JSON.createObjectBuilder().add("running", h.recorder().running())
                        .add("queue_depth", h.queueDepth()).add("dropped_records", h.droppedRecords()))
                .add("open_streams", h.openStreams())
                .add("opentelemetry", telemetry)
                .add("jvm", JSON.createObjectBuilder().add("heap_used_bytes", rt.totalMemory() - rt.freeMemory())
                        .add("heap_max_bytes", rt.maxMemory()).add("threads", ManagementFactory.getThreadMXBean().getThreadCount()))
                .add("instances", instances)
                .build();
    }

    /** The fleet's instances seen in the last day; empty when the store cannot say. */
    public List<FleetInstances.Instance> instances(Instant now) {
        try {
            return fleet.seenSince(now.minus(Duration.ofDays(1)));
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
