package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EncryptSecretTest {
    @Test
    void printsAValueTheGatewayDecrypts() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = EncryptSecret.run(new ByteArrayInputStream("sk-live-123\n".getBytes(StandardCharsets.UTF_8)),
                Map.of("TOLLGATE_MASTER_PASSWORD", "m4ster"), new PrintStream(out), System.err);
        assertEquals(0, rc);
        String enc = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(SecretDecryptor.isEncrypted(enc), enc);
        assertEquals("sk-live-123", new SecretDecryptor(Optional.of("m4ster")).apply(enc));
    }

    @Test
    void refusesWithoutAMasterPassword() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, EncryptSecret.run(new ByteArrayInputStream(new byte[0]), Map.of(), System.out,
                new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("TOLLGATE_MASTER_PASSWORD"));
    }
}
