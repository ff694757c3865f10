package dev.tollgate.route;

import dev.tollgate.config.CredentialSpec;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.SecretDecryptor;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Provider credentials kept in the database ({@code provider_credentials}), added and changed
 * through the admin API or the dashboard, beside the file's. What describes a credential is kept
 * as the file would write it ({@link CredentialSpec}), its key and header values only encrypted
 * with the master password, so a database dump holds no secret in clear. Every instance re-reads
 * the table every few seconds ({@link #refresh}) and routes with the change; the one that made it
 * at once. The routing strategy chosen on the dashboard is kept and shared the same way
 * ({@code live_settings}): it overrides the file's {@code routing.strategy} until it is cleared.
 */
public final class StoredCredentials {
    private static final Logger LOG = Logger.getLogger(StoredCredentials.class.getName());
    private static final String COLUMNS = "id, format, provider, spec, secrets, created_at, updated_at";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sql sql;
    private final Optional<String> masterPassword;
    private final SecretDecryptor decryptor;
    private final Clock clock;
    private final Runnable changed;
    private volatile Map<String, Stored> current = Map.of();
    private volatile Optional<TollgateConfig.Routing.Strategy> strategy = Optional.empty();
    /** Rows (id@updated_at) already reported as not decrypting or not valid. */
    private final Set<String> unusable = new HashSet<>();
    private static final String STRATEGY = "routing.strategy";

    /**
     * One stored credential: what an admin sees (the spec, no secrets) and what routes (the credential).
     *
     * @param spec the entry as JSON without {@code api-key} and {@code headers}
     */
    public record Stored(String id, String format, String provider, String spec, long updatedAt, ProviderCredential credential) {
    }

    /** A row as kept: the secrets still encrypted. */
    private record Row(String id, String format, String provider, String spec, String secrets, long createdAt, long updatedAt) {
    }

    /** @param changed run after a refresh found the table changed (on the refreshing thread) */
    public StoredCredentials(Database db, Optional<String> masterPassword, Clock clock, Runnable changed) {
        this.sql = new Sql(db);
        this.masterPassword = masterPassword.filter(p -> !p.isEmpty());
        this.decryptor = new SecretDecryptor(this.masterPassword);
        this.clock = clock;
        this.changed = changed;
    }

    /** The credentials that route now, in the order they were added. */
    public List<ProviderCredential> credentials() {
        return current.values().stream().map(Stored::credential).toList();
    }

    /** The file's credentials followed by these: every credential that routes, in the order routes list them. */
    public List<ProviderCredential> after(List<ProviderCredential> file) {
        List<ProviderCredential> all = new ArrayList<>(file);
        all.addAll(credentials());
        return all;
    }

    /** The stored credential behind a label, if it is one. */
    public Optional<Stored> byLabel(String label) {
        return current.values().stream().filter(s -> s.credential().label().equals(label)).findFirst();
    }

    public List<Stored> all() {
        return List.copyOf(current.values());
    }

    public Optional<Stored> get(String id) {
        return Optional.ofNullable(current.get(id));
    }

    /** Whether credentials can be stored: their secrets need the master password. */
    public boolean writable() {
        return masterPassword.isPresent();
    }

    /** The routing strategy chosen on the dashboard, over the file's; empty when the file's holds. */
    public Optional<TollgateConfig.Routing.Strategy> strategy() {
        return strategy;
    }

    /** Chooses the strategy for the whole fleet, or (empty) gives it back to the file. */
    public void strategy(Optional<TollgateConfig.Routing.Strategy> chosen) {
        if (chosen.isEmpty()) {
            sql.update("DELETE FROM live_settings WHERE name = ?", p -> p.setString(1, STRATEGY));
        } else {
            sql.update("INSERT INTO live_settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                    + "SET value = excluded.value, updated_at = excluded.updated_at", p -> {
                        p.setString(1, STRATEGY);
                        p.setString(2, chosen.get().name());
                        p.setLong(3, clock.millis());
                    });
        }
        refresh();
    }

    /** Re-reads the table; a row that no longer decrypts (another master password) is left out, said once per refresh. */
    public synchronized void refresh() {
        Map<String, Stored> fresh = new LinkedHashMap<>();
        for (Row r : sql.query("SELECT " + COLUMNS + " FROM provider_credentials ORDER BY created_at, id", p -> { },
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getLong(6), rs.getLong(7)))) {
            Stored known = current.get(r.id());
            if (known != null && known.updatedAt() == r.updatedAt()) {
                fresh.put(r.id(), known);
                continue;
            }
            try {
                fresh.put(r.id(), new Stored(r.id(), r.format(), r.provider(), r.spec(), r.updatedAt(),
                        CredentialSpec.credential(r.format(), SpecJson.withSecrets(r.spec(), decryptor.apply(r.secrets())), r.id())));
            } catch (RuntimeException e) {
                if (unusable.add(r.id() + "@" + r.updatedAt())) { // said once per version of the row, not every refresh
                    LOG.warning("tollgate: stored credential " + r.id() + " (" + r.provider() + ") is not used: " + e.getMessage());
                }
            }
        }
        Optional<TollgateConfig.Routing.Strategy> chosen = sql.query("SELECT value FROM live_settings WHERE name = ?",
                p -> p.setString(1, STRATEGY), rs -> rs.getString(1)).stream().findFirst()
                .flatMap(v -> Arrays.stream(TollgateConfig.Routing.Strategy.values()).filter(x -> x.name().equals(v)).findFirst());
        boolean credentialsChanged = !fresh.keySet().equals(current.keySet())
                || fresh.values().stream().anyMatch(s -> current.get(s.id()) != s);
        if (credentialsChanged || !chosen.equals(strategy)) {
            current = Map.copyOf(fresh);
            strategy = chosen;
            changed.run();
        }
    }

    /**
     * Adds a credential. {@code spec} is the entry without secrets, {@code secrets} its {@code api-key}
     * and {@code headers} as JSON; both are checked by the file's rules before anything is stored.
     */
    public Stored add(String format, String spec, String secrets) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random); // not generateSeed: that may wait for the system's entropy
        String id = "db-" + HexFormat.of().formatHex(random);
        ProviderCredential checked = CredentialSpec.credential(format, SpecJson.withSecrets(spec, secrets), id);
        long now = clock.millis();
        sql.update("INSERT INTO provider_credentials (format, provider, spec, secrets, updated_at, id, created_at) "
                + "VALUES (?,?,?,?,?,?,?)", p -> {
                    bind(p, format, checked, spec, secrets, now, id);
                    p.setLong(7, now);
                });
        refresh();
        return current.get(id);
    }

    /** Replaces a stored credential's spec and secrets, checked first; false when there is no such id. */
    public boolean replace(String id, String format, String spec, String secrets) {
        ProviderCredential checked = CredentialSpec.credential(format, SpecJson.withSecrets(spec, secrets), id);
        long now = Math.max(clock.millis(), get(id).map(s -> s.updatedAt() + 1).orElse(0L));
        int n = sql.update("UPDATE provider_credentials SET format = ?, provider = ?, spec = ?, secrets = ?, updated_at = ? "
                + "WHERE id = ?", p -> bind(p, format, checked, spec, secrets, now, id));
        refresh();
        return n > 0;
    }

    /** The six values an insert and an update both write, in that order: format, provider, spec, secrets, updated_at, id. */
    private void bind(PreparedStatement p, String format, ProviderCredential checked, String spec, String secrets, long now,
                      String id) throws SQLException {
        p.setString(1, format);
        p.setString(2, checked.provider());
        p.setString(3, spec);
        p.setString(4, encrypt(secrets));
        p.setLong(5, now);
        p.setString(6, id);
    }

    /** The clear secrets of a stored credential, for an edit that keeps them. */
    public String secrets(String id) {
        return sql.query("SELECT secrets FROM provider_credentials WHERE id = ?", p -> p.setString(1, id),
                rs -> decryptor.apply(rs.getString(1))).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stored credential " + id));
    }

    public boolean delete(String id) {
        int n = sql.update("DELETE FROM provider_credentials WHERE id = ?", p -> p.setString(1, id));
        refresh();
        return n > 0;
    }

    private String encrypt(String secrets) {
        return SecretDecryptor.encrypt(secrets, masterPassword.orElseThrow(() -> new IllegalStateException(
                "no master password is set, so a credential's key cannot be stored encrypted: set TOLLGATE_MASTER_PASSWORD "
                        + "(or JNDI java:comp/env/tollgate/master-password) on every instance, or add the credential to the config file")));
    }
}
