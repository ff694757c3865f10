package dev.tollgate.access;

/**
 * Who is calling, as the gateway knows it after authentication.
 *
 * @param key    the fingerprint of the key presented
 * @param keyId  the stored key's id; null for keys from the config file and for open mode
 * @param userId the key's owner; null when the key has none
 */
public record Caller(KeyFingerprint key, String keyId, String userId) {
    public static final Caller ANONYMOUS = new Caller(KeyFingerprint.ANONYMOUS, null, null);

    /** A caller known only by the key it presented (config keys, open mode, refused keys). */
    public static Caller of(KeyFingerprint key) {
        return new Caller(key, null, null);
    }
}
