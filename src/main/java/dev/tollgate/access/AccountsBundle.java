package dev.tollgate.access;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.JsonFields;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The users and keys a bundle's calls name, so the other side can show who made them: a user's
 * name and team; a key's name, owner, masked form and times. Never a key's hash. In: a user this
 * store has under the same id is kept as it is; a key lands revoked, with a hash no presented key
 * can have, so it names the source's caller and can never open this gateway.
 */
public final class AccountsBundle {
    private static final String IMPORTED = "imported:";

    private AccountsBundle() {
    }

    /**
     * Hands {@code {"user": …}} for each user and {@code {"key": …}} for each key that the usage
     * records under {@code where} name (and the owners of those keys); returns how many.
     */
    public static long export(Database db, String where, List<Object> params, Consumer<JsonObject> out) {
        Sql sql = new Sql(db);
        List<Object> twice = new ArrayList<>(params);
        twice.addAll(params);
        List<JsonObject> users = sql.query("SELECT id, name, team, created_at, updated_at FROM users WHERE id IN "
                + "(SELECT DISTINCT user_id FROM usage_records WHERE " + where + ") OR id IN (SELECT user_id FROM client_keys "
                + "WHERE id IN (SELECT DISTINCT key_id FROM usage_records WHERE " + where + ")) ORDER BY id", Sql.params(twice),
                rs -> JSON.createObjectBuilder().add("user", JSON.createObjectBuilder().add("id", rs.getString(1))
                        .add("name", rs.getString(2)).add("team", text(rs, 3)).add("created_at", rs.getLong(4))
                        .add("updated_at", rs.getLong(5))).build());
        List<JsonObject> keys = sql.query("SELECT id, user_id, name, masked, created_at, expires_at, revoked_at FROM "
                + "client_keys WHERE id IN (SELECT DISTINCT key_id FROM usage_records WHERE " + where + ") ORDER BY id",
                Sql.params(params), rs -> JSON.createObjectBuilder().add("key", JSON.createObjectBuilder()
                        .add("id", rs.getString(1)).add("user_id", rs.getString(2)).add("name", rs.getString(3))
                        .add("masked", rs.getString(4)).add("created_at", rs.getLong(5)).add("expires_at", number(rs, 6))
                        .add("revoked_at", number(rs, 7))).build());
        users.forEach(out);
        keys.forEach(out);
        return users.size() + keys.size();
    }

    private static JsonValue text(ResultSet rs, int column) throws SQLException {
        String v = rs.getString(column);
        return v == null ? JsonValue.NULL : JSON.createValue(v);
    }

    private static JsonValue number(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? JsonValue.NULL : JSON.createValue(v);
    }

    /** Writes users and keys read from a bundle, those not here already; returns how many were added. */
    public static long write(Database db, List<JsonObject> lines, long now) {
        long[] added = new long[1];
        new Sql(db).transaction(c -> {
            for (JsonObject line : lines) {
                if (line.get("user") instanceof JsonObject u) {
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO users (id, name, team, created_at, "
                            + "updated_at) VALUES (?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
                        p.setString(1, required(u, "id"));
                        p.setString(2, required(u, "name"));
                        p.setString(3, JsonFields.text(u, "team", 256));
                        p.setLong(4, time(u, "created_at"));
                        p.setLong(5, time(u, "updated_at"));
                        added[0] += p.executeUpdate();
                    }
                } else if (line.get("key") instanceof JsonObject k) {
                    added[0] += key(c, k, now);
                } else {
                    throw new IllegalArgumentException("an accounts line that is neither a user nor a key");
                }
            }
        });
        return added[0];
    }

    /** A key, for a user this store knows (imported just now, or its own): keys point at users. */
    private static int key(Connection c, JsonObject k, long now) throws SQLException {
        String user = required(k, "user_id");
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM users WHERE id = ?")) {
            p.setString(1, user);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
            }
        }
        String id = required(k, "id");
        try (PreparedStatement p = c.prepareStatement("INSERT INTO client_keys (id, user_id, name, key_hash, masked, "
                + "created_at, expires_at, revoked_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
            p.setString(1, id);
            p.setString(2, user);
            p.setString(3, required(k, "name"));
            p.setString(4, IMPORTED + id);
            p.setString(5, required(k, "masked"));
            p.setLong(6, time(k, "created_at"));
            Sql.setLong(p, 7, k.get("expires_at") instanceof JsonNumber e ? e.longValueExact() : null);
            p.setLong(8, k.get("revoked_at") instanceof JsonNumber r ? r.longValueExact() : now);
            return p.executeUpdate();
        }
    }

    private static String required(JsonObject o, String name) {
        return JsonFields.required(o, name, 256);
    }

    private static long time(JsonObject o, String name) {
        if (!(o.get(name) instanceof JsonNumber n)) {
            throw new IllegalArgumentException("an account without " + name);
        }
        return n.longValueExact();
    }
}
