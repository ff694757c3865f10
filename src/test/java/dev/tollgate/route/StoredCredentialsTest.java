package dev.tollgate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials kept in the database: checked by the file's rules, secrets only encrypted, seen by every instance. */
class StoredCredentialsTest {
    @TempDir
    Path dir;
    private Database db;
    private final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("t.db"), false);
        db.migrate();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private StoredCredentials store(String password) {
        StoredCredentials s = new StoredCredentials(db, Optional.ofNullable(password), Clock.systemUTC(), changes::incrementAndGet);
        s.refresh();
        return s;
    }

    @Test
    void aCredentialIsStoredEncryptedRoutesAndIsSeenByAnotherInstance() {
        StoredCredentials here = store("master");
        StoredCredentials.Stored s = here.add("openai",
                "{\"name\":\"deepseek\",\"base-url\":\"https://api.deepseek.example\",\"models\":[{\"id\":\"deepseek-chat\",\"alias\":\"ds\"}]}",
                "{\"api-key\":\"sk-stored-secret-123\",\"headers\":{\"X-Team\":\"blue-secret\"}}");
        ProviderCredential c = s.credential();
        assertEquals("deepseek", c.provider());
        assertEquals("deepseek#" + s.id(), c.label());
        assertEquals("sk-stored-secret-123", c.apiKey());
        assertEquals(URI.create("https://api.deepseek.example"), c.baseUrl());
        assertEquals("ds", c.models().get(0).alias().orElseThrow());
        assertEquals(1, changes.get());
        // nothing secret in the table in clear
        List<String> rows = new Sql(db).query("SELECT spec || ' ' || secrets FROM provider_credentials", p -> { }, rs -> rs.getString(1));
        assertFalse(rows.get(0).contains("sk-stored-secret-123") || rows.get(0).contains("blue-secret"), rows.get(0));
        assertTrue(rows.get(0).contains("ENC("), rows.get(0));

        StoredCredentials there = store("master"); // another instance on the same database
        assertEquals(List.of(c.label()), there.credentials().stream().map(ProviderCredential::label).toList());
        assertTrue(here.replace(s.id(), "openai", "{\"name\":\"deepseek\",\"base-url\":\"https://api.deepseek.example\","
                + "\"disabled\":true}", here.secrets(s.id())));
        there.refresh();
        assertTrue(there.credentials().get(0).disabled());
        assertEquals("sk-stored-secret-123", there.credentials().get(0).apiKey(), "an edit without a key keeps it");
        assertTrue(here.delete(s.id()));
        there.refresh();
        assertTrue(there.credentials().isEmpty());
    }

    @Test
    void aBadCredentialIsRefusedByTheFilesRulesAndNothingIsStored() {
        StoredCredentials s = store("master");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.add("openai",
                "{\"name\":\"x\",\"base-url\":\"ftp://nope\"}", "{\"api-key\":\"k\"}"));
        assertTrue(e.getMessage().contains("base-url must be an http(s) URL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.add("openai",
                "{\"name\":\"x\",\"base-url\":\"https://x.example\",\"colour\":\"red\"}", "{\"api-key\":\"k\"}"));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.add("openai", "{\"name\":\"x\",\"base-url\":\"https://x.example\"}", "{}"));
        assertTrue(e.getMessage().contains("'api-key' is required"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.add("cohere", "{}", "{\"api-key\":\"k\"}"));
        assertTrue(e.getMessage().contains("format must be openai, anthropic or gemini"), e.getMessage());
        assertTrue(s.credentials().isEmpty());
        assertEquals(0, changes.get());
    }

    @Test
    void withoutAMasterPasswordNothingIsStoredAndTheMessageSaysWhatToSet() {
        StoredCredentials s = store(null);
        assertFalse(s.writable());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.add("anthropic", "{}", "{\"api-key\":\"sk-ant-x\"}"));
        assertTrue(e.getMessage().contains("TOLLGATE_MASTER_PASSWORD"), e.getMessage());
        assertTrue(s.credentials().isEmpty());
    }

    @Test
    void aRowThatNoLongerDecryptsIsLeftOutAndSaidOnceNotEveryRefresh() {
        store("first-master").add("anthropic", "{}", "{\"api-key\":\"sk-ant-x\"}");
        List<String> warned = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warned.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(StoredCredentials.class.getName()).addHandler(h);
        try {
            StoredCredentials other = store("another-master"); // an instance with a different master password
            other.refresh();
            other.refresh();
            assertTrue(other.credentials().isEmpty());
            assertEquals(1, warned.size(), warned.toString());
            assertFalse(warned.get(0).contains("sk-ant-x"), warned.get(0));
        } finally {
            Logger.getLogger(StoredCredentials.class.getName()).removeHandler(h);
        }
    }
}
