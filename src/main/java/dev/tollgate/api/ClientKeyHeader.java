package dev.tollgate.api;

import java.util.Optional;

/** Reads the client's key from the headers its SDK sends it in. */
public final class ClientKeyHeader {
    private ClientKeyHeader() {
    }

    /** The key in {@code Authorization: Bearer <key>}; empty when absent or of another scheme. */
    public static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String a = authorization.trim();
        if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(a.substring(7).trim()).filter(k -> !k.isEmpty());
        }
        return Optional.empty();
    }
}
