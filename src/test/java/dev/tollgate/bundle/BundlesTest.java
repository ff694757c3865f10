package dev.tollgate.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.logs.LogReader;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.logs.LoggedCalls;
import dev.tollgate.logs.SearchQuery;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.usage.CallFilter;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle carries a period's calls from one store to another: every record and logged call reads
 * back as it was, counts in the target's rollups but never in its limits, is found by search; a
 * second import adds nothing; a changed, cut or foreign file is refused with nothing written.
 */
class BundlesTest {
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");
    private static final CallFilter ALL = new CallFilter(0, Instant.parse("2027-01-01T00:00:00Z").toEpochMilli(), null,
            null, null);

    private static final String SOURCE_KEY_HASH = "5f0c".repeat(16);

    @TempDir
    Path dir;
    private Database source;
    private Database target;
    private List<String> ids;

    @BeforeEach
    void stores() throws Exception {
        source = Database.open(dir.resolve("source.db"), false);
        source.migrate();
        ids = LoggedCalls.write(source, "east-1", "b", 25, 3, START);
        // the user and key some of those calls were made with (GeneratedLog's key ids are key-0 … key-4)
        new Sql(source).update("INSERT INTO users (id, name, team, created_at, updated_at) VALUES ('u-east', "
                + "'East <b>ops</b>', 'ops', 1, 2)", p -> { });
        new Sql(source).update("INSERT INTO client_keys (id, user_id, name, key_hash, masked, created_at) VALUES "
                + "('key-0', 'u-east', 'build bot', '" + SOURCE_KEY_HASH + "', '***k00', 3)", p -> { });
        target = Database.open(dir.resolve("target.db"), false);
        target.migrate();
        LoggedCalls.write(target, "west-1", "local", 5, 4, START);
    }

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    private Path exported(CallFilter filter) throws Exception {
        Path file = dir.resolve("bundle-" + System.nanoTime() + ".zip");
        try (OutputStream out = Files.newOutputStream(file)) {
            new Bundles(source, "east-1").export(filter, out);
        }
        return file;
    }

    private static long count(Database db, String sql) {
        return new Sql(db).query(sql, p -> { }, rs -> rs.getLong(1)).get(0);
    }

    @Test
    void aBundleMovesEveryCallOnceAndASecondImportAddsNothing() throws Exception {
        Path file = exported(ALL);
        JsonObject manifest = Bundles.verify(file);
        assertEquals(ids.size(), manifest.getJsonObject("counts").getInt("usage_records"));
        assertEquals(ids.size(), manifest.getJsonObject("counts").getInt("log_entries"));
        assertEquals("east-1", manifest.getString("instance"));

        long localRecords = count(target, "SELECT COUNT(*) FROM usage_records");
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(SOURCE_KEY_HASH));
        Bundles.Imported first = new Bundles(target, "west-1").importFrom(file);
        assertEquals(2, first.accountsAdded(), "the user and the key the calls name");
        assertEquals("East <b>ops</b>", new Sql(target).query("SELECT name FROM users WHERE id = 'u-east'", p -> { },
                rs -> rs.getString(1)).get(0));
        assertEquals(List.of("imported:key-0 ***k00 revoked"), new Sql(target).query("SELECT key_hash, masked, "
                + "revoked_at FROM client_keys WHERE id = 'key-0'", p -> { }, rs -> rs.getString(1) + " " + rs.getString(2)
                + (rs.getObject(3) != null ? " revoked" : " active")), "listed, and never able to open the gateway");
        assertEquals(ids.size(), first.recordsAdded());
        assertEquals(ids.size(), first.entriesAdded());
        assertTrue(first.messagesAdded() > 0);
        LogReader there = new LogReader(target);
        LogReader here = new LogReader(source);
        for (String id : ids) {
            assertEquals(here.entry(id).orElseThrow(), there.entry(id).orElseThrow(), id);
        }
        assertEquals(ids.size(), count(target, "SELECT COUNT(*) FROM usage_records WHERE instance_id = 'east-1'"),
                "records keep the instance that served them");
        assertEquals(0, count(target, "SELECT COUNT(*) FROM usage_records WHERE instance_id = 'east-1' AND admitted = 1"),
                "imported calls never count against this server's limits or budgets");
        assertEquals(localRecords + ids.size(), count(target, "SELECT SUM(requests) FROM usage_rollups WHERE grain = 'h'"),
                "and they count in its metrics");
        MetricsQuery period = MetricsQuery.parse("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", null, "day", Instant.now());
        MetricsService metrics = new MetricsService(target);
        assertEquals(ids.size(), metrics.report(period.within(MetricsQuery.Scope.instance("east-1"))).totals().requests(),
                "the metrics of the source's instance are the imported calls");
        assertEquals(localRecords, metrics.report(period.within(MetricsQuery.Scope.instance("west-1"))).totals().requests());
        assertEquals(localRecords + ids.size(), metrics.report(period).totals().requests());
        assertEquals(count(source, "SELECT SUM(cost_pusd) FROM usage_records"),
                count(target, "SELECT SUM(cost_pusd) FROM usage_records WHERE instance_id = 'east-1'"));
        String sourceHash = new Sql(source).query("SELECT api_key_hash FROM usage_records WHERE id = ?",
                p -> p.setString(1, ids.get(0)), rs -> rs.getString(1)).get(0);
        String carriedHash = new Sql(target).query("SELECT api_key_hash FROM usage_records WHERE id = ?",
                p -> p.setString(1, ids.get(0)), rs -> rs.getString(1)).get(0);
        assertNotEquals(sourceHash, carriedHash, "no key's hash leaves as this server keeps it");
        assertTrue(new LogSearch(target).search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false,
                500, Optional.empty()).hits().stream().anyMatch(h -> ids.contains(h.id())), "found by search there");
        String conversation = there.entry(ids.get(2)).orElseThrow().getString("conversation_id");
        assertEquals(here.conversation(conversation).orElseThrow().getJsonArray("turns"),
                there.conversation(conversation).orElseThrow().getJsonArray("turns"), "grouped the same way");

        long rows = count(target, "SELECT COUNT(*) FROM usage_records");
        long messages = count(target, "SELECT COUNT(*) FROM log_messages");
        long rollup = count(target, "SELECT SUM(requests) FROM usage_rollups WHERE grain = 'd'");
        Bundles.Imported again = new Bundles(target, "west-1").importFrom(file);
        assertEquals(new Bundles.Imported(0, ids.size(), 0, ids.size(), 0, first.messagesAdded() + first.messagesSkipped(), 0),
                again);
        assertEquals(rows, count(target, "SELECT COUNT(*) FROM usage_records"));
        assertEquals(messages, count(target, "SELECT COUNT(*) FROM log_messages"));
        assertEquals(rollup, count(target, "SELECT SUM(requests) FROM usage_rollups WHERE grain = 'd'"));
    }

    @Test
    void aFilterChoosesTheCalls() throws Exception {
        String firstId = ids.get(0);
        String key = new Sql(source).query("SELECT key_id FROM usage_records WHERE id = ?", p -> p.setString(1, firstId),
                rs -> rs.getString(1)).get(0);
        long ofKey = count(source, "SELECT COUNT(*) FROM usage_records WHERE key_id = '" + key + "'");
        JsonObject manifest = Bundles.verify(exported(new CallFilter(ALL.fromMs(), ALL.toMs(), "gpt-4*", key, null)));
        assertEquals(ofKey, manifest.getJsonObject("counts").getInt("usage_records"));
        assertEquals(ofKey, manifest.getJsonObject("counts").getInt("log_entries"));
        assertTrue(ofKey < ids.size());
        assertEquals(0, Bundles.verify(exported(new CallFilter(ALL.fromMs(), ALL.toMs(), "claude*", null, null)))
                .getJsonObject("counts").getInt("usage_records"));
    }

    @Test
    void aChangedCutOrForeignFileIsRefusedAndNothingIsWritten() throws Exception {
        Path file = exported(ALL);
        byte[] bytes = Files.readAllBytes(file);
        long records = count(target, "SELECT COUNT(*) FROM usage_records");
        long entries = count(target, "SELECT COUNT(*) FROM log_entries");

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 3] ^= 0x01;
        Path changed = dir.resolve("changed.zip");
        Files.write(changed, flipped);
        assertThrows(Bundles.Refused.class, () -> new Bundles(target, "west-1").importFrom(changed));

        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        Bundles.Refused cutShort = assertThrows(Bundles.Refused.class, () -> new Bundles(target, "west-1").importFrom(cut));
        assertTrue(cutShort.getMessage().contains("cut short") || cutShort.getMessage().contains("manifest"),
                cutShort.getMessage());

        Path foreign = dir.resolve("foreign.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(foreign))) {
            zip.putNextEntry(new ZipEntry("../../etc/passwd"));
            zip.write("root:x:0:0".getBytes());
            zip.closeEntry();
        }
        Bundles.Refused strange = assertThrows(Bundles.Refused.class,
                () -> new Bundles(target, "west-1").importFrom(foreign));
        assertTrue(strange.getMessage().contains("unexpected part"), strange.getMessage());

        // a well-formed ZIP whose records were edited (a token count raised, the length kept) but whose manifest was not
        Path edited = dir.resolve("edited.zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(edited))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String part = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write((e.getName().equals("usage_records.jsonl") ? part.replaceFirst("\"total_tokens\":18,",
                        "\"total_tokens\":99,") : part).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        assertNotEquals(-1L, Files.mismatch(file, edited));
        Bundles.Refused tampered = assertThrows(Bundles.Refused.class,
                () -> new Bundles(target, "west-1").importFrom(edited));
        assertTrue(tampered.getMessage().contains("does not match its checksum"), tampered.getMessage());

        Path notZip = dir.resolve("not.zip");
        Files.writeString(notZip, "{\"format\":\"tollgate-bundle\"}");
        assertThrows(Bundles.Refused.class, () -> new Bundles(target, "west-1").importFrom(notZip));

        assertEquals(records, count(target, "SELECT COUNT(*) FROM usage_records"), "nothing was written");
        assertEquals(entries, count(target, "SELECT COUNT(*) FROM log_entries"));
    }

    /** A bundle as someone else might write one: these parts, and a manifest whose checksums match them. */
    private Path crafted(String accounts, String records, String log) throws Exception {
        Path file = dir.resolve("crafted-" + System.nanoTime() + ".zip");
        JsonObjectBuilder parts = Json.createObjectBuilder();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            String[][] all = {{"accounts.jsonl", accounts}, {"usage_records.jsonl", records}, {"log.jsonl", log}};
            for (String[] part : all) {
                byte[] bytes = part[1].getBytes(StandardCharsets.UTF_8);
                zip.putNextEntry(new ZipEntry(part[0]));
                zip.write(bytes);
                zip.closeEntry();
                parts.add(part[0], Json.createObjectBuilder()
                        .add("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                        .add("bytes", bytes.length).add("lines", part[1].chars().filter(c -> c == '\n').count()));
            }
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(Json.createObjectBuilder().add("format", "tollgate-bundle").add("version", 1)
                    .add("parts", parts).build().toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return file;
    }

    private static String record(String field, String value) {
        String base = "{\"id\":\"evil-1\",\"ts\":1796000000000,\"endpoint\":\"/v1/chat/completions\",\"stream\":0,"
                + "\"api_key_masked\":\"***bad\",\"model\":\"m\",\"status\":200,\"latency_ms\":5,\"prompt_tokens\":1,\"completion_tokens\":1,"
                + "\"total_tokens\":2,\"usage_quality\":\"reported\",\"attempts\":1,\"instance_id\":\"evil\"}";
        return base.replaceFirst("\"" + field + "\":[^,}]+", Matcher.quoteReplacement("\"" + field + "\":" + value)) + "\n";
    }

    /**
     * A bundle whose checksums hold but whose lines no server would write: each is refused with a
     * message naming the field, and none of its records is written.
     */
    @Test
    void aCraftedLineIsRefusedByNameAndNothingOfItLands() throws Exception {
        long before = count(target, "SELECT COUNT(*) FROM usage_records");
        Bundles.Imported fine = new Bundles(target, "west-1").importFrom(crafted("", record("status", "200"), ""));
        assertEquals(1, fine.recordsAdded(), "the crafted record itself is well formed");
        String[][] cases = {
            {"total_tokens", "-5", "total_tokens is out of range"},
            {"prompt_tokens", "1e30", "prompt_tokens is not a whole number"},
            {"status", "9999", "status is out of range"},
            {"model", "\"" + "m".repeat(5000) + "\"", "model is longer than 1024"},
            {"api_key_masked", "\"***a\\r\\nSet-Cookie: x\"", "api_key_masked holds a control character"},
            {"id", "\"\"", "no id"},
        };
        for (String[] c : cases) {
            Path file = crafted("", record(c[0], c[1]).replace("evil-1", "evil-" + c[0]), "");
            Bundles.Refused refused = assertThrows(Bundles.Refused.class, () -> new Bundles(target, "west-1").importFrom(file),
                    c[0]);
            assertTrue(refused.getMessage().contains(c[2]), refused.getMessage());
        }
        String entry = "{\"entry\":{\"id\":\"evil-log\",\"ts\":1,\"endpoint\":\"/v1/chat/completions\",\"status\":200,"
                + "\"stream\":0,\"flags\":0,\"request\":\"e30=\",\"stored_bytes\":2,\"conversation_id\":\"a\\r\\nb\"},"
                + "\"messages\":[],\"bodies\":{}}\n";
        Bundles.Refused header = assertThrows(Bundles.Refused.class,
                () -> new Bundles(target, "west-1").importFrom(crafted("", "", entry)));
        assertTrue(header.getMessage().contains("control character"), header.getMessage());
        Bundles.Refused column = assertThrows(Bundles.Refused.class, () -> new Bundles(target, "west-1")
                .importFrom(crafted("", "", entry.replace("\"flags\"", "\"flags) VALUES (0); DROP TABLE users; --\""))));
        assertTrue(column.getMessage().contains("unknown column"), column.getMessage());
        assertEquals(before + 1, count(target, "SELECT COUNT(*) FROM usage_records"), "only the well-formed record");
        assertEquals(0, count(target, "SELECT COUNT(*) FROM log_entries WHERE id = 'evil-log'"));
    }
}
