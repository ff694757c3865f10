package dev.tollgate.access;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored client key, without its secret: only the SHA-256 hash of the secret is ever kept.
 *
 * @param masked the key's last characters ({@code ***abc}), as usage records show it
 */
public record ClientKey(String id, String userId, String name, String hash, String masked, Instant createdAt,
                        Optional<Instant> expiresAt, Optional<Instant> revokedAt) {

    /** Whether the key lets its holder in at {@code now}. */
    public boolean usableAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }

    public String state(Instant now) {
        if (revokedAt.isPresent()) {
            return "revoked";
        }
        return usableAt(now) ? "active" : "expired";
    }

    ClientKey revoked(Instant at) {
        return new ClientKey(id, userId, name, hash, masked, createdAt, expiresAt, Optional.of(at));
    }
}
