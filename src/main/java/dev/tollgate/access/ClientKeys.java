package dev.tollgate.access;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The client keys the gateway accepts, held only as SHA-256 hashes. With none configured the
 * gateway is open: every caller is let in and recorded under the key it presented, if any.
 */
public final class ClientKeys {
    private final Set<String> hashes;

    public ClientKeys(List<String> configuredKeys) {
        this.hashes = configuredKeys.stream().filter(k -> !k.isBlank()).map(KeyFingerprint::sha256)
                .collect(Collectors.toUnmodifiableSet());
    }

    public boolean open() {
        return hashes.isEmpty();
    }

    /** The caller's fingerprint when the key is accepted; empty when it is missing or unknown. */
    public Optional<KeyFingerprint> authenticate(Optional<String> presented) {
        if (open()) {
            return Optional.of(presented.map(KeyFingerprint::of).orElse(KeyFingerprint.ANONYMOUS));
        }
        return presented.filter(k -> !k.isEmpty()).map(KeyFingerprint::of)
                .filter(f -> hashes.contains(f.hash()));
    }
}
