package dev.tollgate.route;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code credential_cooldowns} table: each instance writes the rests it starts, and reads the
 * others', so a credential an upstream refused is rested across the fleet, not on one instance.
 */
public final class CooldownStore {
    private final Sql sql;
    private final String instanceId;

    public CooldownStore(Database db, String instanceId) {
        this.sql = new Sql(db);
        this.instanceId = instanceId;
    }

    void save(String credential, Cooldowns.State s) {
        sql.update("INSERT INTO credential_cooldowns (credential, until_ms, failures, last_error, instance_id) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (credential) DO UPDATE SET until_ms = excluded.until_ms, "
                + "failures = excluded.failures, last_error = excluded.last_error, instance_id = excluded.instance_id",
                p -> {
                    p.setString(1, credential);
                    p.setLong(2, s.until().toEpochMilli());
                    p.setInt(3, s.failures());
                    p.setString(4, s.lastError());
                    p.setString(5, instanceId);
                });
    }

    /** The rests still running at {@code now}, by credential. */
    Map<String, Cooldowns.State> running(Instant now) {
        Map<String, Cooldowns.State> out = new HashMap<>();
        sql.query("SELECT credential, until_ms, failures, last_error FROM credential_cooldowns WHERE until_ms > ?",
                p -> p.setLong(1, now.toEpochMilli()),
                rs -> Map.entry(rs.getString(1), new Cooldowns.State(Instant.ofEpochMilli(rs.getLong(2)), rs.getInt(3),
                        rs.getString(4))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
