package dev.tollgate.cli;

import dev.tollgate.bundle.Bundles;
import dev.tollgate.logs.LogIndex;
import dev.tollgate.store.Database;
import dev.tollgate.store.UrlDataSource;
import dev.tollgate.usage.CallFilter;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command-line tool (target/tollgate-cli.jar) for a store the server is not using:
 *
 * <pre>
 * java -jar tollgate-cli.jar bundle create STORE OUT.zip [--from DAY] [--to DAY] [--model M] [--key K] [--user U] [--instance ID]
 * java -jar tollgate-cli.jar bundle import STORE BUNDLE.zip
 * java -jar tollgate-cli.jar bundle verify BUNDLE.zip
 * java -jar tollgate-cli.jar index rebuild STORE
 * </pre>
 *
 * STORE is a SQLite file, or a {@code jdbc:postgresql:} URL with the driver on the class path
 * ({@code java -cp tollgate-cli.jar:postgresql.jar dev.tollgate.cli.TollgateCli …}; user and password
 * from {@code $TOLLGATE_DB_USER} and {@code $TOLLGATE_DB_PASSWORD}). Exit status: 0 done, 1 refused or
 * failed (said on standard error), 2 wrong usage.
 */
public final class TollgateCli {
    private static final String USAGE = String.join("\n",
            "usage: java -jar tollgate-cli.jar bundle create STORE OUT.zip [--from DAY] [--to DAY] [--model M] [--key K]",
            "                                  [--user U] [--instance ID]",
            "       java -jar tollgate-cli.jar bundle import STORE BUNDLE.zip",
            "       java -jar tollgate-cli.jar bundle verify BUNDLE.zip",
            "       java -jar tollgate-cli.jar index rebuild STORE",
            "STORE: a SQLite file, or a jdbc:postgresql: URL (user and password from $TOLLGATE_DB_USER, $TOLLGATE_DB_PASSWORD)");
    private static final Set<String> OPTIONS = Set.of("from", "to", "model", "key", "user", "instance");

    private TollgateCli() {
    }

    public static void main(String[] args) {
        // a tool's output is its own lines: no library's start-up notes (SLF4J without a provider, the store's INFO)
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Logger.getLogger("").setLevel(Level.WARNING);
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return command(args, out);
        } catch (Usage e) {
            err.println(e.getMessage() == null ? USAGE : e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (Bundles.Refused e) {
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("failed: no such file: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("failed: " + e.getMessage());
            return 1;
        }
    }

    private static final class Usage extends Exception {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    private static int command(String[] args, PrintStream out) throws Exception {
        String what = args.length >= 2 ? args[0] + " " + args[1] : "";
        List<String> rest = Arrays.asList(args).subList(Math.min(2, args.length), args.length);
        switch (what) {
            case "bundle create" -> {
                Map<String, String> options = options(rest.subList(Math.min(2, rest.size()), rest.size()));
                Path file = Path.of(positional(rest, 1, "the bundle file to write"));
                try (Database db = open(positional(rest, 0, "the store"))) {
                    Path partial = file.resolveSibling(file.getFileName() + ".partial");
                    Bundles.Counts counts;
                    try (OutputStream o = Files.newOutputStream(partial)) {
                        counts = new Bundles(db, options.get("instance")).export(filter(options), o);
                    }
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING); // never a half bundle under the name
                    out.println("bundle " + file + ": " + counts.records() + " usage records, " + counts.entries()
                            + " logged calls, " + counts.bodies() + " messages");
                }
            }
            case "bundle import" -> {
                Path file = Path.of(positional(rest, 1, "the bundle file"));
                try (Database db = open(positional(rest, 0, "the store"))) {
                    out.println(new Bundles(db, null).importFrom(file).json());
                }
            }
            case "bundle verify" -> {
                JsonObject manifest = Bundles.verify(Path.of(positional(rest, 0, "the bundle file")));
                out.println("bundle verified: " + manifest.getJsonObject("counts") + " from instance "
                        + manifest.getString("instance", "?") + ", " + manifest.getString("from", "?") + " to "
                        + manifest.getString("to", "?"));
            }
            case "index rebuild" -> {
                try (Database db = open(positional(rest, 0, "the store"))) {
                    out.println("search index rebuilt: " + LogIndex.rebuild(db) + " messages");
                }
            }
            default -> throw new Usage(null);
        }
        return 0;
    }

    private static String positional(List<String> args, int index, String what) throws Usage {
        if (args.size() <= index || args.get(index).startsWith("--")) {
            throw new Usage("missing " + what);
        }
        return args.get(index);
    }

    private static Map<String, String> options(List<String> args) throws Usage {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String name = args.get(i).startsWith("--") ? args.get(i).substring(2) : "";
            if (!OPTIONS.contains(name) || i + 1 >= args.size()) {
                throw new Usage("unknown or incomplete option: " + args.get(i));
            }
            options.put(name, args.get(i + 1));
        }
        return options;
    }

    /** The period and filters, read as the admin API reads them (a day or an instant; everything up to now by default). */
    private static CallFilter filter(Map<String, String> options) throws Usage {
        try {
            return Bundles.filter(options::get);
        } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
        }
    }

    /** The store, migrated to this version's schema. */
    private static Database open(String store) throws IOException {
        Database db;
        if (store.startsWith("jdbc:")) {
            db = Database.of(new UrlDataSource(store, System.getenv("TOLLGATE_DB_USER"), System.getenv("TOLLGATE_DB_PASSWORD")),
                    "command line");
        } else {
            Path file = Path.of(store);
            if (!Files.isRegularFile(file)) {
                throw new IOException("no store at " + file + " (a SQLite file, or a jdbc: URL)");
            }
            db = Database.open(file, false);
        }
        db.migrate();
        return db;
    }
}
