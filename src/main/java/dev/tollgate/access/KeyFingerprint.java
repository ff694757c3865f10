package dev.tollgate.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What is kept of a client key: its SHA-256 hash and a masked form {@code ***abc}; never the key. */
public record KeyFingerprint(String hash, String masked) {
    public static final KeyFingerprint ANONYMOUS = new KeyFingerprint(null, "anonymous");

    public static KeyFingerprint of(String key) {
        if (key == null || key.isEmpty()) {
            return ANONYMOUS;
        }
        String tail = key.length() <= 6 ? "" : key.substring(key.length() - 3);
        return new KeyFingerprint(sha256(key), "***" + tail);
    }

    public static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
