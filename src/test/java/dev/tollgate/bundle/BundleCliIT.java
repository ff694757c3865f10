package dev.tollgate.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.logs.LogSearch;
import dev.tollgate.logs.LoggedCalls;
import dev.tollgate.logs.SearchQuery;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tool as ops run it: {@code java -jar target/tollgate-cli.jar} on store files,
 * with a heap of 40 MB and a bundle that inflates to several times that, so neither the export nor
 * the import can hold it: every call arrives once, a second import adds nothing, the search index
 * rebuilds, a damaged bundle is refused with exit status 1 and wrong usage is 2.
 */
class BundleCliIT {
    private static final String HEAP = "-Xmx40m";
    private static final long HEAP_BYTES = 40L * 1024 * 1024;

    @TempDir
    Path dir;

    /** What a command printed, and its exit status. */
    private record Run(int status, String out, String err) {
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-jar", Path.of("target", "tollgate-cli.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the tool finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static long count(Database db, String sql) {
        return new Sql(db).query(sql, p -> { }, rs -> rs.getLong(1)).get(0);
    }

    @Test
    void bundlesFarLargerThanTheHeapLeaveAndArriveWhole() throws Exception {
        Path east = dir.resolve("east.db");
        Path west = dir.resolve("west.db");
        long calls = 0;
        try (Database db = Database.open(east, false)) {
            db.migrate();
            for (int chunk = 0; chunk < 12; chunk++) { // 12 × 200 dialogs, each message some 9 KB
                calls += LoggedCalls.write(db, "east-1", "big" + chunk, 200, 100 + chunk,
                        Instant.parse("2026-11-01T00:00:00Z").plusSeconds(chunk * 100_000L), 1500).size();
            }
        }
        try (Database db = Database.open(west, false)) {
            db.migrate();
        }
        Path bundle = dir.resolve("east.zip");

        Run created = cli("bundle", "create", east.toString(), bundle.toString(), "--instance", "east-1", "--to", "2026-12-01");
        assertEquals(0, created.status(), created.err());
        assertTrue(created.out().contains(calls + " usage records, " + calls + " logged calls"), created.out());
        JsonObject manifest = Bundles.verify(bundle);
        long inflated = manifest.getJsonObject("parts").values().stream().map(JsonValue::asJsonObject)
                .mapToLong(p -> p.getJsonNumber("bytes").longValue()).sum();
        assertTrue(inflated > 3 * HEAP_BYTES, "the bundle holds " + inflated + " bytes, a few times the heap");

        Run verified = cli("bundle", "verify", bundle.toString());
        assertEquals(0, verified.status(), verified.err());
        assertTrue(verified.out().contains("\"log_entries\":" + calls), verified.out());

        Run imported = cli("bundle", "import", west.toString(), bundle.toString());
        assertEquals(0, imported.status(), imported.err());
        assertTrue(imported.out().contains("\"records_added\":" + calls), imported.out());
        Run again = cli("bundle", "import", west.toString(), bundle.toString());
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("\"records_added\":0,\"records_skipped\":" + calls), again.out());

        Run rebuilt = cli("index", "rebuild", west.toString());
        assertEquals(0, rebuilt.status(), rebuilt.err());
        try (Database db = Database.open(west, false)) {
            assertEquals(calls, count(db, "SELECT COUNT(*) FROM log_entries"));
            assertTrue(rebuilt.out().contains("rebuilt: " + count(db, "SELECT COUNT(*) FROM log_messages") + " messages"),
                    rebuilt.out());
            assertTrue(count(db, "SELECT COUNT(*) FROM log_text") > 0);
            assertEquals(50, new LogSearch(db).search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE,
                    false, 50, Optional.empty()).hits().size(), "the rebuilt index finds the calls");
        }

        byte[] bytes = Files.readAllBytes(bundle);
        bytes[bytes.length / 2] ^= 0x55;
        Path damaged = dir.resolve("damaged.zip");
        Files.write(damaged, bytes);
        Run refused = cli("bundle", "import", west.toString(), damaged.toString());
        assertEquals(1, refused.status());
        assertTrue(refused.err().startsWith("refused: "), refused.err());
        assertEquals(1, refused.err().lines().count(), "one line says why, nothing else: " + refused.err());
        assertEquals(2, cli("bundle", "send", "x").status());
        assertEquals(2, cli("bundle", "create", east.toString()).status(), "no file named");
        assertTrue(new String(Files.readAllBytes(dir.resolve("err.txt")), StandardCharsets.UTF_8).contains("usage:"));
    }
}
