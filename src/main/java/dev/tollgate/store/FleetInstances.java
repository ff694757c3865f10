package dev.tollgate.store;

import java.time.Instant;
import java.util.List;

/**
 * The {@code fleet_instances} table: every instance says every few seconds that it is alive and
 * which config file it runs (its hash), so the System page lists them all and drift shows.
 */
public final class FleetInstances {
    private final Sql sql;

    /** One instance as it last reported. */
    public record Instance(String id, String version, String configHash, Instant configLoadedAt, Instant startedAt,
                           Instant seenAt) {
    }

    public FleetInstances(Database db) {
        this.sql = new Sql(db);
    }

    public void beat(Instance i) {
        sql.update("INSERT INTO fleet_instances (instance_id, version, config_hash, config_loaded_at, started_at, seen_at) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO UPDATE SET version = excluded.version, "
                + "config_hash = excluded.config_hash, config_loaded_at = excluded.config_loaded_at, "
                + "started_at = excluded.started_at, seen_at = excluded.seen_at", p -> {
                    p.setString(1, i.id());
                    p.setString(2, i.version());
                    p.setString(3, i.configHash());
                    p.setLong(4, i.configLoadedAt().toEpochMilli());
                    p.setLong(5, i.startedAt().toEpochMilli());
                    p.setLong(6, i.seenAt().toEpochMilli());
                });
    }

    /** The instances seen since {@code after}, by id. */
    public List<Instance> seenSince(Instant after) {
        return sql.query("SELECT instance_id, version, config_hash, config_loaded_at, started_at, seen_at FROM fleet_instances "
                + "WHERE seen_at >= ? ORDER BY instance_id", p -> p.setLong(1, after.toEpochMilli()),
                rs -> new Instance(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6))));
    }
}
