package dev.tollgate.access;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@code users} and {@code client_keys} tables. Keys are stored as hashes, never as secrets. */
final class AccessStore {
    private static final String KEY_COLUMNS = "id, user_id, name, key_hash, masked, created_at, expires_at, revoked_at";
    private static final String USER_COLUMNS = "id, name, team, created_at, updated_at";

    private final Sql sql;

    AccessStore(Database db) {
        this.sql = new Sql(db);
    }

    List<User> users() {
        return sql.query("SELECT " + USER_COLUMNS + " FROM users ORDER BY id", p -> { }, AccessStore::user);
    }

    Optional<User> user(String id) {
        return sql.query("SELECT " + USER_COLUMNS + " FROM users WHERE id = ?", p -> p.setString(1, id),
                AccessStore::user).stream().findFirst();
    }

    void insertUser(User u) {
        sql.update("INSERT INTO users (" + USER_COLUMNS + ") VALUES (?,?,?,?,?)", p -> {
            p.setString(1, u.id());
            p.setString(2, u.name());
            p.setString(3, u.team().orElse(null));
            p.setLong(4, u.createdAt().toEpochMilli());
            p.setLong(5, u.updatedAt().toEpochMilli());
        });
    }

    void updateUser(User u) {
        sql.update("UPDATE users SET name = ?, team = ?, updated_at = ? WHERE id = ?", p -> {
            p.setString(1, u.name());
            p.setString(2, u.team().orElse(null));
            p.setLong(3, u.updatedAt().toEpochMilli());
            p.setString(4, u.id());
        });
    }

    /** Deletes the user and every key of theirs in one transaction; their usage records stay. */
    void deleteUser(String id) {
        sql.transaction(tx -> {
            for (String s : List.of("DELETE FROM client_keys WHERE user_id = ?", "DELETE FROM users WHERE id = ?")) {
                try (PreparedStatement p = tx.prepareStatement(s)) {
                    p.setString(1, id);
                    p.executeUpdate();
                }
            }
        });
    }

    List<ClientKey> keys() {
        return sql.query("SELECT " + KEY_COLUMNS + " FROM client_keys ORDER BY created_at, id", p -> { },
                AccessStore::key);
    }

    List<ClientKey> keysOf(String userId) {
        return sql.query("SELECT " + KEY_COLUMNS + " FROM client_keys WHERE user_id = ? ORDER BY created_at, id",
                p -> p.setString(1, userId), AccessStore::key);
    }

    Optional<ClientKey> keyByHash(String hash) {
        return sql.query("SELECT " + KEY_COLUMNS + " FROM client_keys WHERE key_hash = ?", p -> p.setString(1, hash),
                AccessStore::key).stream().findFirst();
    }

    Optional<ClientKey> key(String id) {
        return sql.query("SELECT " + KEY_COLUMNS + " FROM client_keys WHERE id = ?", p -> p.setString(1, id),
                AccessStore::key).stream().findFirst();
    }

    void insertKey(ClientKey k) {
        sql.update("INSERT INTO client_keys (" + KEY_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)", p -> {
            p.setString(1, k.id());
            p.setString(2, k.userId());
            p.setString(3, k.name());
            p.setString(4, k.hash());
            p.setString(5, k.masked());
            p.setLong(6, k.createdAt().toEpochMilli());
            Sql.setLong(p, 7, k.expiresAt().map(Instant::toEpochMilli).orElse(null));
            Sql.setLong(p, 8, k.revokedAt().map(Instant::toEpochMilli).orElse(null));
        });
    }

    void revokeKey(String id, Instant at) {
        sql.update("UPDATE client_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", p -> {
            p.setLong(1, at.toEpochMilli());
            p.setString(2, id);
        });
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)));
    }

    private static ClientKey key(ResultSet rs) throws SQLException {
        return new ClientKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                Instant.ofEpochMilli(rs.getLong(6)), time(rs, 7), time(rs, 8));
    }

    private static Optional<Instant> time(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(Sql.getLong(rs, column)).map(Instant::ofEpochMilli);
    }
}
