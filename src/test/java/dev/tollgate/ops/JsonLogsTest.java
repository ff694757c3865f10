package dev.tollgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.ConfigParser;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.json.Jsons;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** logging.format: json: one JSON object per line, a call's own fields, no secret even when one is logged. */
class JsonLogsTest {
    private static TollgateConfig config(String yaml) {
        return new ConfigParser(UnaryOperator.identity(), w -> { }).parse(yaml, Optional.empty(), Path.of("x.db"));
    }

    private static List<JsonObject> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines()
                .map(l -> Jsons.JSON.createReader(new StringReader(l)).readObject()).toList(); // each line parses alone
    }

    @Test
    void everyLineIsOneJsonObjectWithTheCallsFieldsAndNoSecret() {
        TollgateConfig c = config("instance-id: eu-1\nlogging: {format: json, calls: true}\n"
                + "openai-api-key:\n  - api-key: sk-upstream-logged-on-purpose\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogOutput output = LogOutput.apply(c, () -> List.of("sk-upstream-logged-on-purpose"), out);
        Logger log = Logger.getLogger("dev.tollgate.test.json");
        try {
            log.warning("upstream refused sk-upstream-logged-on-purpose for 0190c9a4-7b1e-7c3d-9f00-123456789abc");
            log.log(Level.SEVERE, "write failed", new IllegalStateException("Bearer abcdefghijklmnop"));
            log.info("w".repeat(200_000)); // a huge single word: cut before masking and writing
            new CallLog().accept(new UsageRecord("0190c9a4-0000-7000-8000-000000000001", Instant.EPOCH, "/v1/chat/completions",
                    true, "gpt-x", "gpt-x", "openai", "openai#1", Caller.of(KeyFingerprint.of("sk-client-key-123")), 200, 42, 7L,
                    new TokenUsage(3, 4, 7, 0, 0), UsageQuality.REPORTED, null, null, 1, true, null));
        } finally {
            output.close();
        }
        String all = out.toString(StandardCharsets.UTF_8);
        assertFalse(all.contains("sk-upstream-logged-on-purpose") || all.contains("abcdefghijklmnop")
                || all.contains("sk-client-key-123"), all);
        List<JsonObject> lines = lines(out);
        assertEquals(4, lines.size(), all);
        assertEquals(JsonLogFormatter.MAX_CHARS + 1, lines.get(2).getString("message").length());
        JsonObject warning = lines.get(0);
        assertEquals("WARNING", warning.getString("level"));
        assertEquals("eu-1", warning.getString("instance_id"));
        assertEquals("dev.tollgate.test.json", warning.getString("logger"));
        assertEquals("0190c9a4-7b1e-7c3d-9f00-123456789abc", warning.getString("request_id"));
        assertTrue(lines.get(1).getString("error").startsWith("java.lang.IllegalStateException"));
        JsonObject call = lines.get(3);
        assertEquals("gpt-x", call.getString("model"));
        assertEquals("openai", call.getString("provider"));
        assertEquals(200, call.getInt("status"));
        assertEquals(42, call.getInt("duration_ms"));
        assertEquals("0190c9a4-0000-7000-8000-000000000001", call.getString("request_id"));
        assertTrue(Instant.parse(call.getString("time")).equals(Instant.parse(call.getString("time"))));

        // undone on close: plain lines go back to the container's handlers
        log.info("after close");
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("after close"));
        assertTrue(Logger.getLogger("dev.tollgate").getUseParentHandlers());
    }

    @Test
    void plainTextIsTheDefaultAndChangesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogOutput output = LogOutput.apply(config("api-keys: [a]\n"), List::of, out);
        Logger.getLogger("dev.tollgate.test.plain").info("a plain line");
        output.close();
        assertEquals(0, out.size());
    }
}
