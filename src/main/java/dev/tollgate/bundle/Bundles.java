package dev.tollgate.bundle;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.AccountsBundle;
import dev.tollgate.json.BoundedJson;
import dev.tollgate.logs.LogBundle;
import dev.tollgate.logs.LogQuery;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.store.Database;
import dev.tollgate.usage.CallFilter;
import dev.tollgate.usage.UsageBundle;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Portable bundles: a period's usage records and request log in one ZIP file, to carry to another
 * server and import there with nothing counted twice.
 *
 * <p>The parts, in order: {@code accounts.jsonl} (the users and keys the calls name, never a key's
 * hash), {@code usage_records.jsonl} and {@code log.jsonl}, one JSON object a line, then
 * {@code manifest.json}: the format and its version, the source instance, the period and
 * filters, the counts, and each part's SHA-256, byte and line counts. The manifest comes last
 * because the export streams: nothing is held but the rows of one batch, so a million calls take
 * no more memory than a thousand.
 *
 * <p>An import reads the file twice: first whole, checking the manifest, every part's checksum and
 * counts and every line's size, and writes nothing unless all of it holds; then it writes, a batch
 * a transaction. Each record and call lands once (by id) and each message once (by hash), so a
 * second import of the same bundle, or of an overlapping one from elsewhere, adds nothing; an
 * import cut short is finished by running it again.
 */
public final class Bundles {
    public static final String FORMAT = "tollgate-bundle";
    public static final int VERSION = 1;
    static final String ACCOUNTS = "accounts.jsonl";
    static final String USAGE = "usage_records.jsonl";
    static final String LOG = "log.jsonl";
    static final String MANIFEST = "manifest.json";
    private static final List<String> PARTS = List.of(ACCOUNTS, USAGE, LOG);
    /** No line of a part is longer: a stored body is capped well below (logs.max-body-bytes). */
    static final int MAX_LINE = 64 * 1024 * 1024;
    private static final int MAX_MANIFEST = 1024 * 1024;
    /** How much larger than the file its parts may inflate: JSON logs deflate 5 to 20 times, a ZIP bomb thousands. */
    private static final long MAX_RATIO = 200;
    private static final int BATCH = 500;
    /** A batch is written once its lines reach this size, however few: what an import holds in memory. */
    private static final int BATCH_BYTES = 4 * 1024 * 1024;
    private static final BoundedJson.Bounds LINE_BOUNDS = new BoundedJson.Bounds(512, Integer.MAX_VALUE);

    private final Database db;
    private final String instanceId;

    public Bundles(Database db, String instanceId) {
        this.db = db;
        this.instanceId = instanceId;
    }

    /** The parameters a bundle is chosen by: {@code from}, {@code to}, {@code model}, {@code key}, {@code user}. */
    public static final Set<String> FILTERS = Set.of("from", "to", "model", "key", "user");

    /**
     * The calls a bundle holds, from those parameters as the log search reads them (a day or an
     * instant); the period is everything up to now when unsaid. Throws {@link IllegalArgumentException}
     * saying which parameter is wrong.
     */
    public static CallFilter filter(UnaryOperator<String> param) {
        LogSearch.Filters f = LogQuery.parse(name -> FILTERS.contains(name) ? param.apply(name) : null).filters();
        return new CallFilter(f.from().map(Instant::toEpochMilli).orElse(0L),
                f.to().map(Instant::toEpochMilli).orElse(System.currentTimeMillis() + 1), f.model().orElse(null),
                f.key().orElse(null), f.user().orElse(null));
    }

    /** What an export holds. */
    public record Counts(long accounts, long records, long entries, long bodies) {
    }

    /** Writes the bundle of the filter's calls to {@code out} (left open). */
    public Counts export(CallFilter filter, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(out, 64 * 1024));
        Map<String, Part> parts = new LinkedHashMap<>();
        long[] accounts = new long[1];
        parts.put(ACCOUNTS, part(zip, ACCOUNTS, sink -> {
            List<Object> params = new ArrayList<>();
            String where = filter.sql(params);
            accounts[0] = AccountsBundle.export(db, where, params, sink);
        }));
        long[] records = new long[1];
        parts.put(USAGE, part(zip, USAGE, sink -> records[0] = UsageBundle.export(db, filter, sink)));
        LogBundle.Exported[] log = new LogBundle.Exported[1];
        parts.put(LOG, part(zip, LOG, sink -> log[0] = LogBundle.export(db, filter, sink)));
        Counts counts = new Counts(accounts[0], records[0], log[0].entries(), log[0].bodies());
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(manifest(filter, counts, parts).toString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.finish();
        zip.flush();
        return counts;
    }

    /** A part as written: its digest, its bytes and lines. */
    record Part(String sha256, long bytes, long lines) {
        JsonObject json() {
            return JSON.createObjectBuilder().add("sha256", sha256).add("bytes", bytes).add("lines", lines).build();
        }
    }

    /** What fills a part: each of its lines, handed to the sink. */
    @FunctionalInterface
    private interface Rows {
        void write(Consumer<JsonObject> sink) throws SQLException;
    }

    private static Part part(ZipOutputStream zip, String name, Rows rows) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        MessageDigest sha = sha256();
        long[] size = new long[2];
        OutputStream counted = new OutputStream() { // the entry stays open: only the digest and counts see it pass
            @Override
            public void write(int b) throws IOException {
                zip.write(b);
                size[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
                size[0] += len;
            }
        };
        DigestOutputStream digesting = new DigestOutputStream(counted, sha);
        try {
            rows.write(row -> {
                try {
                    digesting.write(row.toString().getBytes(StandardCharsets.UTF_8));
                    digesting.write('\n');
                    size[1]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (SQLException e) {
            throw new IOException("the store could not be read for " + name + ": " + e.getMessage(), e);
        }
        zip.closeEntry();
        return new Part(HexFormat.of().formatHex(sha.digest()), size[0], size[1]);
    }

    private JsonObject manifest(CallFilter filter, Counts counts, Map<String, Part> parts) {
        JsonObjectBuilder p = JSON.createObjectBuilder();
        parts.forEach((name, part) -> p.add(name, part.json()));
        JsonArrayBuilder filters = JSON.createArrayBuilder();
        filter.described().forEach(filters::add);
        return JSON.createObjectBuilder().add("format", FORMAT).add("version", VERSION)
                .add("instance", instanceId == null ? "" : instanceId).add("created", Instant.now().toString())
                .add("from", Instant.ofEpochMilli(filter.fromMs()).toString())
                .add("to", Instant.ofEpochMilli(filter.toMs()).toString()).add("filters", filters)
                .add("counts", JSON.createObjectBuilder().add("accounts", counts.accounts())
                        .add("usage_records", counts.records())
                        .add("log_entries", counts.entries()).add("log_messages", counts.bodies()))
                .add("parts", p).build();
    }

    /** A bundle that cannot be imported, and why, in words for the one who sent it. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** What an import added and what it found already there. */
    public record Imported(long recordsAdded, long recordsSkipped, long entriesAdded, long entriesSkipped,
                           long messagesAdded, long messagesSkipped, long accountsAdded) {
        public JsonObject json() {
            return JSON.createObjectBuilder().add("records_added", recordsAdded).add("records_skipped", recordsSkipped)
                    .add("log_entries_added", entriesAdded).add("log_entries_skipped", entriesSkipped)
                    .add("messages_added", messagesAdded).add("messages_skipped", messagesSkipped)
                    .add("accounts_added", accountsAdded).build();
        }
    }

    /** Checks the bundle whole; returns its manifest. Writes nothing. */
    public static JsonObject verify(Path file) throws Refused, IOException {
        long budget = Math.max(Files.size(file), 1) * MAX_RATIO + MAX_MANIFEST;
        Map<String, Part> seen = new LinkedHashMap<>();
        JsonObject manifest = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            long inflated = 0;
            for (ZipEntry e = next(zip); e != null; e = next(zip)) {
                String name = e.getName();
                if (manifest != null) {
                    throw new Refused("the bundle goes on after its manifest");
                }
                if (name.equals(MANIFEST)) {
                    manifest = manifest(zip);
                } else if (PARTS.contains(name) && !seen.containsKey(name)) {
                    Part part = measure(zip, budget - inflated);
                    inflated += part.bytes();
                    seen.put(name, part);
                } else {
                    throw new Refused("the bundle holds an unexpected part: " + printable(name));
                }
            }
        } catch (ZipException e) {
            throw new Refused("not a readable bundle (ZIP): " + e.getMessage());
        } catch (EOFException e) {
            throw new Refused("the bundle ends early: cut short (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            throw new Refused("the bundle has no manifest: not a Tollgate bundle, or cut short");
        }
        checkAgainst(manifest, seen);
        return manifest;
    }

    private static ZipEntry next(ZipInputStream zip) throws IOException, Refused {
        try {
            return zip.getNextEntry();
        } catch (IllegalArgumentException e) { // a malformed entry name
            throw new Refused("not a readable bundle: " + e.getMessage());
        }
    }

    private static JsonObject manifest(InputStream in) throws IOException, Refused {
        byte[] bytes = in.readNBytes(MAX_MANIFEST + 1);
        if (bytes.length > MAX_MANIFEST) {
            throw new Refused("the manifest is larger than " + MAX_MANIFEST + " bytes");
        }
        JsonObject m;
        try {
            m = BoundedJson.object(bytes, new BoundedJson.Bounds(16, 10_000));
        } catch (BoundedJson.Refused e) {
            throw new Refused("the manifest is not JSON: " + e.getMessage());
        }
        if (!FORMAT.equals(m.getString("format", null))) {
            throw new Refused("not a Tollgate bundle (format " + printable(m.getString("format", "missing")) + ")");
        }
        if (!(m.get("version") instanceof JsonNumber v) || v.intValue() != VERSION) {
            throw new Refused("bundle format version " + m.get("version") + " is not one this server reads (" + VERSION + ")");
        }
        return m;
    }

    private static Part measure(InputStream in, long budget) throws IOException, Refused {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        long bytes = 0;
        long lines = 0;
        long lineLength = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            sha.update(buf, 0, n);
            bytes += n;
            if (bytes > budget) {
                throw new Refused("the bundle inflates to far more than its size: refused as a ZIP bomb");
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lines++;
                    lineLength = 0;
                } else if (++lineLength > MAX_LINE) {
                    throw new Refused("a line of the bundle is longer than " + MAX_LINE + " bytes");
                }
            }
        }
        return new Part(HexFormat.of().formatHex(sha.digest()), bytes, lines);
    }

    private static void checkAgainst(JsonObject manifest, Map<String, Part> seen) throws Refused {
        if (!(manifest.get("parts") instanceof JsonObject parts)) {
            throw new Refused("the manifest lists no parts");
        }
        for (String name : PARTS) {
            Part part = seen.get(name);
            if (!(parts.get(name) instanceof JsonObject said) || part == null) {
                throw new Refused("the bundle lacks its part " + name);
            }
            if (!part.sha256().equals(said.getString("sha256", "")) || said.getJsonNumber("bytes") == null
                    || said.getJsonNumber("bytes").longValue() != part.bytes()
                    || said.getJsonNumber("lines") == null || said.getJsonNumber("lines").longValue() != part.lines()) {
                throw new Refused("part " + name + " does not match its checksum in the manifest: the bundle is "
                        + "corrupt or was changed");
            }
        }
    }

    /** Verifies the bundle, then writes what this store lacks of it. */
    public Imported importFrom(Path file) throws Refused, IOException, SQLException {
        verify(file);
        long[] n = new long[7];
        long now = System.currentTimeMillis();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                switch (e.getName()) {
                    case ACCOUNTS -> lines(zip, batch -> n[6] += AccountsBundle.write(db, batch, now));
                    case USAGE -> lines(zip, batch -> {
                        UsageBundle.Imported r = UsageBundle.write(db, batch);
                        n[0] += r.added();
                        n[1] += r.skipped();
                    });
                    case LOG -> lines(zip, batch -> {
                        LogBundle.Imported r = LogBundle.write(db, batch);
                        n[2] += r.entriesAdded();
                        n[3] += r.entriesSkipped();
                        n[4] += r.messagesAdded();
                        n[5] += r.messagesSkipped();
                    });
                    default -> {
                        // the manifest, checked already
                    }
                }
            }
        }
        return new Imported(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
    }

    @FunctionalInterface
    private interface BatchWriter {
        void write(List<JsonObject> batch) throws SQLException;
    }

    /** Reads a part's lines a batch at a time; a line that is not a JSON object refuses the rest. */
    private static void lines(InputStream in, BatchWriter writer) throws IOException, SQLException, Refused {
        List<JsonObject> batch = new ArrayList<>(BATCH);
        ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
        byte[] buf = new byte[64 * 1024];
        long number = 0;
        long held = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    line.write(buf, start, i - start);
                    start = i + 1;
                    held += line.size();
                    batch.add(object(line.toByteArray(), ++number));
                    line.reset();
                    if (batch.size() == BATCH || held >= BATCH_BYTES) {
                        flush(writer, batch, number);
                        held = 0;
                    }
                }
            }
            line.write(buf, start, n - start);
        }
        flush(writer, batch, number);
    }

    private static JsonObject object(byte[] line, long number) throws Refused {
        try {
            return BoundedJson.object(line, LINE_BOUNDS);
        } catch (BoundedJson.Refused e) {
            throw new Refused("line " + number + " of the bundle is not a JSON object: " + e.getMessage());
        }
    }

    private static void flush(BatchWriter writer, List<JsonObject> batch, long number) throws SQLException, Refused {
        if (batch.isEmpty()) {
            return;
        }
        try {
            writer.write(batch);
        } catch (RuntimeException e) { // a line the checksums vouch for but no server of this format wrote
            throw new Refused("the bundle holds a record this server cannot read (near line " + number + "): "
                    + e.getMessage() + "; what came before it was imported, the rest was not");
        }
        batch.clear();
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }
}
