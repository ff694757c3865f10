package dev.tollgate.access;

import dev.tollgate.store.Database;
import dev.tollgate.store.StoreException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The client keys the gateway accepts: those in the config file and those issued through the
 * admin API, all held only as SHA-256 hashes. Stored keys are cached in memory and re-read after
 * every change made here and on {@link #reload}, so a revoked key is refused at once. A key the
 * cache does not know but that looks issued is looked up once in the database, so a key issued
 * through another instance of a fleet works at once. With no key of either kind the gateway is
 * open: every caller is let in under the key it presented.
 */
public final class ClientKeys {
    private volatile Set<String> configured;
    private final AccessStore store;
    private final Clock clock;
    private volatile Map<String, ClientKey> stored = Map.of();

    public ClientKeys(List<String> configuredKeys, Database db, Clock clock) {
        this(configuredKeys, db == null ? null : new AccessStore(db), clock);
    }

    ClientKeys(List<String> configuredKeys, AccessStore store, Clock clock) {
        this.configured = hashes(configuredKeys);
        this.store = store;
        this.clock = clock;
        reload();
    }

    /** The config file's keys after a reload: a key taken out of the file is refused from the next call. */
    public void useConfigured(List<String> configuredKeys) {
        configured = hashes(configuredKeys);
    }

    private static Set<String> hashes(List<String> keys) {
        return keys.stream().filter(k -> !k.isBlank()).map(KeyFingerprint::sha256).collect(Collectors.toUnmodifiableSet());
    }

    /** Re-reads the stored keys (after a change, and periodically so changes made elsewhere show). */
    public void reload() {
        if (store != null) {
            stored = store.keys().stream().collect(Collectors.toUnmodifiableMap(ClientKey::hash, Function.identity()));
        }
    }

    /** True when no key of any kind exists, so the gateway lets every caller in. */
    public boolean open() {
        return configured.isEmpty() && stored.isEmpty();
    }

    /** The caller when the key is accepted; empty when it is missing, unknown, revoked or expired. */
    public Optional<Caller> authenticate(Optional<String> presented) {
        if (open()) {
            return Optional.of(Caller.of(presented.map(KeyFingerprint::of).orElse(KeyFingerprint.ANONYMOUS)));
        }
        if (presented.isEmpty() || presented.get().isEmpty()) {
            return Optional.empty();
        }
        KeyFingerprint f = KeyFingerprint.of(presented.get());
        if (configured.contains(f.hash())) {
            return Optional.of(Caller.of(f));
        }
        ClientKey k = stored.get(f.hash());
        if (k == null && store != null && presented.get().startsWith(Accounts.KEY_PREFIX)) {
            k = learn(f.hash());
        }
        if (k == null || !k.usableAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Caller(f, k.id(), k.userId()));
    }

    /** A key issued elsewhere since the last reload: fetched by its hash and cached until the next one. */
    private ClientKey learn(String hash) {
        Optional<ClientKey> found;
        try {
            found = store.keyByHash(hash);
        } catch (StoreException e) {
            return null; // the database is away: only keys already known are accepted meanwhile
        }
        found.ifPresent(k -> {
            Map<String, ClientKey> more = new HashMap<>(stored);
            more.put(hash, k);
            stored = Map.copyOf(more);
        });
        return found.orElse(null);
    }

    AccessStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }
}
