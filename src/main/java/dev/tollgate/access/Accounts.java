package dev.tollgate.access;

import dev.tollgate.access.AccessException.Kind;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Users and their keys as the admin API changes them. A new key's secret is made from 32 bytes of
 * {@link SecureRandom}, returned once, and only its hash is stored; a SHA-256 of 256 random bits
 * needs no slow password hash. Every change refreshes {@link ClientKeys} before it returns.
 */
public final class Accounts {
    public static final String KEY_PREFIX = "sk-proxy-";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final int MAX_TEXT = 200;

    private final ClientKeys keys;
    private final AccessStore store;
    private final SecureRandom random = new SecureRandom();

    public Accounts(ClientKeys keys) {
        this.keys = keys;
        this.store = keys.store();
    }

    public List<User> users() {
        return store.users();
    }

    public User user(String id) {
        return store.user(id).orElseThrow(() -> new AccessException(Kind.NOT_FOUND, "no user with id '" + id + "'"));
    }

    /** Creates a user; without an id one is made up ({@code u-} and 12 hex digits). */
    public synchronized User createUser(Optional<String> id, String name, Optional<String> team) {
        String userId = id.orElseGet(() -> "u-" + hex(6));
        if (!ID.matcher(userId).matches()) {
            throw new AccessException(Kind.INVALID, "'id' must be 1 to 64 letters, digits or . _ @ -, starting with a "
                    + "letter or digit (got '" + userId + "')");
        }
        if (store.user(userId).isPresent()) {
            throw new AccessException(Kind.CONFLICT, "a user with id '" + userId + "' exists already");
        }
        Instant now = keys.clock().instant();
        User u = new User(userId, text("name", name), team.map(t -> text("team", t)), now, now);
        store.insertUser(u);
        return u;
    }

    /** Changes name and/or team; an empty team string removes the team. */
    public synchronized User updateUser(String id, Optional<String> name, Optional<String> team) {
        User old = user(id);
        User u = new User(id, name.map(n -> text("name", n)).orElse(old.name()),
                team.isPresent() ? team.filter(t -> !t.isBlank()).map(t -> text("team", t)) : old.team(),
                old.createdAt(), keys.clock().instant());
        store.updateUser(u);
        return u;
    }

    /** Deletes a user and their keys; the keys stop working at once. Usage records are kept. */
    public synchronized void deleteUser(String id) {
        user(id);
        store.deleteUser(id);
        keys.reload();
    }

    public IssuedKey issueKey(String userId, Optional<String> name, Optional<Instant> expiresAt) {
        user(userId);
        Instant now = keys.clock().instant();
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
            throw new AccessException(Kind.INVALID, "'expires_at' must be in the future (got " + expiresAt.get() + ")");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        KeyFingerprint f = KeyFingerprint.of(secret);
        ClientKey key = new ClientKey("key-" + hex(8), userId, name.map(n -> text("name", n)).orElse(""), f.hash(),
                f.masked(), now, expiresAt, Optional.empty());
        store.insertKey(key);
        keys.reload();
        return new IssuedKey(key, secret);
    }

    public List<ClientKey> keys() {
        return store.keys();
    }

    public List<ClientKey> keysOf(String userId) {
        user(userId);
        return store.keysOf(userId);
    }

    public ClientKey key(String id) {
        return store.key(id).orElseThrow(() -> new AccessException(Kind.NOT_FOUND, "no key with id '" + id + "'"));
    }

    /** Revokes a key for good (revoking twice keeps the first time); it is refused from now on. */
    public ClientKey revokeKey(String id) {
        ClientKey k = key(id);
        if (k.revokedAt().isPresent()) {
            return k;
        }
        Instant now = keys.clock().instant();
        store.revokeKey(id, now);
        keys.reload();
        return k.revoked(now);
    }

    public Instant now() {
        return keys.clock().instant();
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String text(String field, String value) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty() && "name".equals(field)) {
            throw new AccessException(Kind.INVALID, "'name' must not be empty");
        }
        if (v.length() > MAX_TEXT) {
            throw new AccessException(Kind.INVALID, "'" + field + "' is longer than " + MAX_TEXT + " characters");
        }
        return v;
    }
}
