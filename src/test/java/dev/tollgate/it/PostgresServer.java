package dev.tollgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests, from the machine's Debian packages
 * ({@code /usr/lib/postgresql/<version>/bin}): a fresh cluster in a temporary folder, on a free
 * loopback port, trust authentication, stopped when the JVM exits. As root it runs as the
 * {@code postgres} system user, since PostgreSQL refuses to run as root.
 */
public final class PostgresServer {
    private final Path bin;
    private final Path data;
    private final int port;

    private final boolean root;
    private final boolean kept;

    private PostgresServer(Path bin, Path data, int port, boolean root, boolean kept) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.root = root;
        this.kept = kept;
    }

    /** A new cluster in a temporary folder, removed when the JVM exits. */
    public static PostgresServer start() {
        try {
            return start(Files.createTempDirectory("tollgate-pg"), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cluster kept in {@code dir}, created there the first time; stopped but left in place when
     * the JVM exits (a benchmark's generated store, reused by the next run).
     */
    public static PostgresServer startKept(Path dir) {
        return start(dir.toAbsolutePath(), true);
    }

    private static PostgresServer start(Path dir, boolean kept) {
        try {
            Path bin = binaries();
            Path data = dir.resolve("data");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            boolean root = "root".equals(System.getProperty("user.name"));
            Files.createDirectories(dir);
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
            }
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "tollgate", "--auth=trust",
                        "-E", "UTF8", "--no-instructions"), root);
            }
            Files.writeString(data.resolve("postgresql.auto.conf"), "port = " + port + "\nunix_socket_directories = '"
                    + dir + "'\nlisten_addresses = '127.0.0.1'\nfsync = off\n");
            PostgresServer server = new PostgresServer(bin, data, port, root, kept);
            server.start(dir.resolve("log"));
            Runtime.getRuntime().addShutdownHook(new Thread(server::kill));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDBC URL to a database that exists (the cluster's {@code postgres} database). */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "tollgate";
    }

    private void start(Path log) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "start"), root);
    }

    /** Starts the stopped server again, same data, same port (a database coming back after an outage). */
    public void restart() {
        start(data.resolveSibling("log"));
    }

    /** Stops the server at once, dropping its connections (a database outage). */
    public void stop() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), root);
    }

    private void kill() {
        try {
            stop();
        } catch (RuntimeException e) {
            // already stopped, or the JVM is going away too fast; the folder goes below either way
        }
        if (kept) {
            return;
        }
        try (Stream<Path> files = Files.walk(data.getParent())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary folder is harmless
        }
    }

    private static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(p -> p.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under " + base));
        }
    }

    private static void run(List<String> command, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Commands.run(full);
    }
}
