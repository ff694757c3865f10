package dev.tollgate.logs;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.json.Jsons;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.usage.StatusRange;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * The request log at scale: a store of generated multi-turn conversations (English, German,
 * French and Spanish text, 1 to 20 turns, every turn a logged call that resends its history)
 * written through the log's own write path, then each documented query form timed over it, and
 * the first page of a filtered list; plus the bytes stored per call, overall and for 20-turn
 * conversations. SQLite, and PostgreSQL beside it when Debian's server is installed.
 *
 * <pre>sh bench/logs.sh [calls] [sqlite|postgresql|both] [reuse]</pre>
 *
 * <p>{@code reuse} keeps the generated stores in {@code bench/.work} (the SQLite file, a PostgreSQL
 * cluster) and, when one already holds the calls asked for, times the queries over it without
 * writing again: a million calls take half an hour to write, a query change a minute to time.
 */
public final class LogSearchBenchmark {
    private static final int BATCH = 1000;
    private static final int RUNS = 20;
    private static final String[][] WORDS = {
        ("the a to of and in is it you that for on with this be can we your please thanks order account refund policy "
            + "return payment invoice customer support ticket delivery shipping address card charge subscription plan "
            + "upgrade cancel password login error timeout retry server request response model token cost budget limit "
            + "machine learning data report week month price discount warranty product issue problem help question "
            + "answer email phone team manager billing credit balance transfer bank update change time date").split(" "),
        ("der die das und ist nicht ich sie wir bitte danke bestellung konto rückerstattung richtlinie zahlung rechnung "
            + "kunde lieferung versand adresse karte abonnement kündigen passwort fehler zeitüberschreitung anfrage "
            + "antwort preis rabatt garantie produkt problem hilfe frage woche monat").split(" "),
        ("le la les et est pas je vous nous merci commande compte remboursement politique paiement facture client "
            + "livraison adresse carte abonnement annuler mot passe erreur délai requête réponse prix remise garantie "
            + "produit problème aide question semaine mois").split(" "),
        ("el la los y es no yo usted nosotros gracias pedido cuenta reembolso política pago factura cliente entrega "
            + "envío dirección tarjeta suscripción cancelar contraseña error tiempo solicitud respuesta precio descuento "
            + "garantía producto problema ayuda pregunta semana mes").split(" "),
    };
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-flash"};
    private static final String[] PROVIDERS = {"openai", "openai", "anthropic", "gemini"};

    private final Random random = new Random(42);
    private final TollgateConfig.Logs settings = new TollgateConfig.Logs(true, 1 << 20, 0, 1 << 26, List.of());

    private LogSearchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        String engines = args.length > 1 ? args[1] : "sqlite";
        boolean reuse = args.length > 2 && args[2].equals("reuse");
        List<String> report = new ArrayList<>();
        report.add("# Searching the request log — " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Instant.now().atZone(ZoneOffset.UTC)));
        report.add("");
        if (!engines.equals("postgresql")) {
            Path file = Path.of("bench/.work/logs.db");
            Files.createDirectories(file.getParent());
            for (String suffix : reuse ? new String[0] : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            try (Database db = Database.open(file, false)) {
                db.migrate();
                new LogSearchBenchmark().run(db, "SQLite", calls, reuse, report, () -> sqliteBytes(db, file));
            }
        }
        if (!engines.equals("sqlite")) {
            PostgresServer pg = reuse ? PostgresServer.startKept(Path.of("bench/.work/logs-pg")) : PostgresServer.start();
            DirectPostgresDataSource source = new DirectPostgresDataSource();
            source.setUrl(pg.url());
            source.setUser(pg.user());
            try (Database db = Database.of(source, "bench")) {
                db.migrate();
                new LogSearchBenchmark().run(db, "PostgreSQL", calls, reuse, report, () -> postgresBytes(db));
            } finally {
                pg.stop();
            }
        }
        report.forEach(System.out::println);
        Path out = Path.of("bench/results/log-search-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")
                .format(Instant.now().atZone(ZoneOffset.UTC)) + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
    }

    /** Bytes the store takes now. */
    @FunctionalInterface
    private interface Size {
        long bytes() throws Exception;
    }

    private void run(Database db, String engine, long calls, boolean reuse, List<String> report, Size size)
            throws Exception {
        LogWrites writes = new LogWrites(db, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE);
        long stored = count(db, "log_entries");
        boolean reused = reuse && stored >= calls;
        long start = System.nanoTime();
        long written = reused ? stored : seed(writes, calls, Instant.now().minus(Duration.ofDays(30)), false);
        double seedSeconds = (System.nanoTime() - start) / 1e9;
        long bytes = size.bytes();
        report.add(reused ? String.format("## %s: %,d logged calls (%,d distinct messages), a store kept from an "
                + "earlier run", engine, written, count(db, "log_messages"))
                : String.format("## %s: %,d logged calls (%,d distinct messages), written in %.0f s (%,.0f calls/s)",
                engine, written, count(db, "log_messages"), seedSeconds, written / seedSeconds));
        report.add("");
        report.add(String.format("Stored: %,d MiB with the search index, **%,.0f bytes per call**.", bytes >> 20,
                (double) bytes / written));
        report.add("");
        LogSearch search = new LogSearch(db);
        report.add("| query form | example | p50 (ms) | p95 (ms) | hits on the first page |");
        report.add("|---|---|---|---|---|");
        String[][] forms = {
            {"word", "refund"}, {"two words", "refund policy"}, {"OR", "machine learning OR rechnung"},
            {"NOT", "refund NOT policy"}, {"phrase", "\"refund policy\""}, {"prefix", "subscr*"},
            {"NEAR", "timeout NEAR/5 retry"}, {"rare word", "zeitüberschreitung"},
        };
        for (String[] form : forms) {
            time(report, form[0], form[1], () -> search.search(Optional.of(SearchQuery.parse(form[1])),
                    LogSearch.Filters.NONE, false, 50, Optional.empty()).hits().size());
        }
        Instant now = Instant.now();
        LogSearch.Filters filtered = new LogSearch.Filters(Optional.of(now.minus(Duration.ofDays(7))), Optional.of(now),
                Optional.of("gpt-4o*"), Optional.empty(), Optional.empty(), Optional.of(StatusRange.parse("2xx")),
                Optional.of("openai"), Optional.empty());
        time(report, "filtered list, newest first", "7 days, gpt-4o*, 2xx, openai", () -> search.search(Optional.empty(),
                filtered, true, 50, Optional.empty()).hits().size());
        time(report, "word + filters", "refund, 7 days, gpt-4o*", () -> search.search(
                Optional.of(SearchQuery.parse("refund")), filtered, false, 50, Optional.empty()).hits().size());
        report.add("");
        if (reused) {
            return;
        }
        long before = count(db, "log_entries");
        long bytesBefore = size.bytes();
        long twenty = seed(writes, 20 * 500, Instant.now().minus(Duration.ofDays(1)), true);
        long grew = size.bytes() - bytesBefore;
        report.add(String.format("20-turn conversations: %,d more calls (500 conversations) grew the store by %,d KiB: "
                + "**%,.0f bytes per call** (%,d calls in all now).", twenty, grew >> 10, (double) grew / twenty,
                before + twenty));
        report.add("");
    }

    @FunctionalInterface
    private interface Timed {
        int run();
    }

    private static void time(List<String> report, String form, String example, Timed query) {
        for (int i = 0; i < 3; i++) {
            query.run();
        }
        long[] ms = new long[RUNS];
        int hits = 0;
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            hits = query.run();
            ms[i] = (System.nanoTime() - t) / 1_000;
        }
        Arrays.sort(ms);
        report.add(String.format("| %s | `%s` | %.1f | %.1f | %d |", form, example.replace("|", "\\|"), ms[RUNS / 2] / 1000.0,
                ms[(int) Math.ceil(RUNS * 0.95) - 1] / 1000.0, hits));
    }

    /** Writes conversations until {@code calls} calls are logged; each turn is a call with the whole history. */
    private long seed(LogWrites writes, long calls, Instant from, boolean twentyTurns) throws Exception {
        EntryBuilder builder = new EntryBuilder(settings);
        List<LogEntry> batch = new ArrayList<>(BATCH);
        long n = 0;
        long span = Duration.between(from, Instant.now()).toMillis();
        while (n < calls) {
            int turns = twentyTurns ? 20 : 1 + (int) Math.min(19, -Math.log(1 - random.nextDouble()) * 4);
            int lang = random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(3);
            int model = random.nextInt(MODELS.length);
            String key = "key-" + random.nextInt(40);
            Instant t = from.plusMillis((long) (random.nextDouble() * span));
            List<String> history = new ArrayList<>();
            history.add("{\"role\":\"system\",\"content\":\"You are a helpful support assistant.\"}");
            for (int turn = 0; turn < turns && n < calls; turn++, n++) {
                history.add("{\"role\":\"user\",\"content\":" + quote(sentence(lang, 5 + random.nextInt(55))) + "}");
                String answer = sentence(lang, 20 + random.nextInt(130));
                String body = "{\"model\":\"" + MODELS[model] + "\",\"messages\":[" + String.join(",", history) + "]}";
                Transcript tr = new Transcript(Optional.of(OpenAiChat.INSTANCE), 1 << 20);
                tr.request(body.getBytes(StandardCharsets.UTF_8));
                tr.whole(("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
                        + MODELS[model] + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + quote(answer) + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + body.length() / 4
                        + ",\"completion_tokens\":" + answer.length() / 4 + "}}").getBytes(StandardCharsets.UTF_8));
                UsageRecord r = new UsageRecord(UUID.randomUUID().toString(), t.plusSeconds(turn * 40L),
                        "/v1/chat/completions", false, MODELS[model], MODELS[model], PROVIDERS[model], PROVIDERS[model] + "#1",
                        new Caller(KeyFingerprint.of("sk-bench-" + key), key, "user-" + key.hashCode() % 12), 200, 900,
                        null, TokenUsage.of(body.length() / 4, answer.length() / 4), UsageQuality.REPORTED, null, null, 1,
                        true, null);
                batch.add(builder.build(tr, r));
                history.add("{\"role\":\"assistant\",\"content\":" + quote(answer) + "}");
                if (batch.size() == BATCH) {
                    writes.write(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            writes.write(batch);
        }
        return n;
    }

    /** Words of one language, common ones far more often (Zipf-like), and now and then a number. */
    private String sentence(int lang, int words) {
        String[] vocabulary = WORDS[lang];
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            int rank = (int) Math.min(vocabulary.length - 1, Math.floor(Math.pow(vocabulary.length, random.nextDouble())) - 1);
            b.append(i == 0 ? "" : " ").append(random.nextInt(40) == 0 ? Integer.toString(random.nextInt(100_000))
                    : vocabulary[Math.max(0, rank)]);
        }
        return b.toString();
    }

    private static String quote(String text) {
        return Jsons.JSON.createValue(text).toString();
    }

    private static long count(Database db, String table) {
        return new Sql(db).query("SELECT COUNT(*) FROM " + table, p -> { }, rs -> rs.getLong(1)).get(0);
    }

    private static long sqliteBytes(Database db, Path file) throws Exception {
        new Sql(db).query("PRAGMA wal_checkpoint(TRUNCATE)", p -> { }, rs -> rs.getInt(1));
        long total = 0;
        for (String suffix : new String[] {"", "-wal"}) {
            Path p = Path.of(file + suffix);
            total += Files.exists(p) ? Files.size(p) : 0;
        }
        return total;
    }

    private static long postgresBytes(Database db) {
        return new Sql(db).query("SELECT pg_database_size(current_database())", p -> { }, rs -> rs.getLong(1)).get(0);
    }
}
