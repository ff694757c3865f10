package dev.tollgate.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
    @TempDir
    Path dir;
    private Database db;
    private Instant now = Instant.parse("2026-11-23T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("access.db"), false);
        db.migrate();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void issuedKeysAreRandomShownOnceStoredAsHashesAndRevocableAtOnce() throws Exception {
        ClientKeys keys = new ClientKeys(List.of(), db, clock);
        assertTrue(keys.open(), "no keys of any kind: open");
        Accounts accounts = new Accounts(keys);
        User alice = accounts.createUser(Optional.of("alice"), "Alice", Optional.of("search"));
        IssuedKey one = accounts.issueKey("alice", Optional.of("laptop"), Optional.empty());
        IssuedKey two = accounts.issueKey("alice", Optional.empty(), Optional.empty());

        assertTrue(one.secret().startsWith("sk-proxy-") && one.secret().length() == "sk-proxy-".length() + 43);
        assertFalse(one.secret().equals(two.secret()));
        assertFalse(keys.open(), "the first issued key closes the gateway to strangers");
        assertEquals(Optional.of(new Caller(KeyFingerprint.of(one.secret()), one.key().id(), alice.id())),
                keys.authenticate(Optional.of(one.secret())));
        assertTrue(keys.authenticate(Optional.of("sk-proxy-guess")).isEmpty());
        assertTrue(keys.authenticate(Optional.empty()).isEmpty());

        db.close();
        String file = Files.readString(dir.resolve("access.db"), StandardCharsets.ISO_8859_1);
        assertFalse(file.contains(one.secret().substring(9)), "the secret is nowhere in the database file");
        assertTrue(file.contains(KeyFingerprint.sha256(one.secret())), "its hash is");
        db = Database.open(dir.resolve("access.db"), false);
        keys = new ClientKeys(List.of(), db, clock);
        accounts = new Accounts(keys);

        ClientKey revoked = accounts.revokeKey(one.key().id());
        assertEquals("revoked", revoked.state(now));
        assertTrue(keys.authenticate(Optional.of(one.secret())).isEmpty(), "refused at once");
        assertTrue(keys.authenticate(Optional.of(two.secret())).isPresent(), "the other key still works");
        assertEquals(revoked.revokedAt(), accounts.revokeKey(one.key().id()).revokedAt(), "revoking twice keeps the first time");
    }

    @Test
    void expiredKeysAreRefusedAndConfigKeysStillWork() {
        ClientKeys keys = new ClientKeys(List.of("sk-from-config"), db, clock);
        Accounts accounts = new Accounts(keys);
        accounts.createUser(Optional.of("bob"), "Bob", Optional.empty());
        IssuedKey k = accounts.issueKey("bob", Optional.empty(), Optional.of(now.plus(Duration.ofHours(1))));
        assertTrue(keys.authenticate(Optional.of(k.secret())).isPresent());
        now = now.plus(Duration.ofHours(1));
        assertTrue(keys.authenticate(Optional.of(k.secret())).isEmpty(), "expired on the dot");
        assertEquals("expired", accounts.key(k.key().id()).state(now));
        assertEquals(Caller.of(KeyFingerprint.of("sk-from-config")), keys.authenticate(Optional.of("sk-from-config")).orElseThrow());
    }

    @Test
    void badInputAndUnknownIdsAreNamed() {
        Accounts accounts = new Accounts(new ClientKeys(List.of(), db, clock));
        assertEquals(AccessException.Kind.INVALID, assertThrows(AccessException.class,
                () -> accounts.createUser(Optional.of("no spaces"), "X", Optional.empty())).kind());
        assertEquals(AccessException.Kind.INVALID, assertThrows(AccessException.class,
                () -> accounts.createUser(Optional.empty(), " ", Optional.empty())).kind());
        User made = accounts.createUser(Optional.empty(), "Generated", Optional.empty());
        assertTrue(made.id().matches("u-[0-9a-f]{12}"), made.id());
        assertEquals(AccessException.Kind.CONFLICT, assertThrows(AccessException.class,
                () -> accounts.createUser(Optional.of(made.id()), "Again", Optional.empty())).kind());
        assertEquals(AccessException.Kind.NOT_FOUND, assertThrows(AccessException.class,
                () -> accounts.issueKey("nobody", Optional.empty(), Optional.empty())).kind());
        assertEquals(AccessException.Kind.INVALID, assertThrows(AccessException.class,
                () -> accounts.issueKey(made.id(), Optional.empty(), Optional.of(now.minusSeconds(1)))).kind());
        assertEquals(AccessException.Kind.NOT_FOUND, assertThrows(AccessException.class,
                () -> accounts.revokeKey("key-0")).kind());

        User renamed = accounts.updateUser(made.id(), Optional.of("Renamed"), Optional.of("ops"));
        assertEquals(Optional.of("ops"), renamed.team());
        assertEquals(Optional.empty(), accounts.updateUser(made.id(), Optional.empty(), Optional.of("")).team());
        IssuedKey k = accounts.issueKey(made.id(), Optional.empty(), Optional.empty());
        accounts.deleteUser(made.id());
        assertEquals(AccessException.Kind.NOT_FOUND, assertThrows(AccessException.class, () -> accounts.user(made.id())).kind());
        assertTrue(accounts.keys().stream().noneMatch(x -> x.id().equals(k.key().id())), "their keys went with them");
    }
}
