package dev.tollgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Tomcat process with its own CATALINA_BASE over the unpacked distribution, set up as
 * tomcat-conf/README.md tells ops to (install-lib.sh, a context file, the realm users, harden.sh),
 * the WAR in webapps/: one instance of a fleet on PostgreSQL, or a single gateway on SQLite.
 */
public final class TomcatInstance {
    private final Path home;
    private final Path base;
    private final int port;
    private final List<String> javaOptions;
    private Process process;

    private TomcatInstance(Path home, Path base, int port, List<String> javaOptions) {
        this.home = home;
        this.base = base;
        this.port = port;
        this.javaOptions = javaOptions;
    }

    /**
     * @param home   the unpacked Tomcat distribution (CATALINA_HOME)
     * @param base   an empty folder for this instance (CATALINA_BASE)
     * @param config the gateway's config file for this instance
     */
    public static TomcatInstance create(Path home, Path base, Path war, Path driverJar, Path config, String dbUrl,
                                        String dbUser) throws IOException {
        Path conf = Path.of("tomcat-conf").toAbsolutePath();
        int port = prepare(home, base);
        // where tomcat-conf/postgresql/ tells ops to put the database (not -D: Tomcat logs those)
        Files.writeString(base.resolve("conf/catalina.properties"), "\ntollgate.db.url=" + dbUrl + "\ntollgate.db.user="
                + dbUser + "\ntollgate.db.password=\n", StandardOpenOption.APPEND);
        Files.copy(conf.resolve("postgresql/Catalina/localhost/tollgate.xml"),
                base.resolve("conf/Catalina/localhost/tollgate.xml"));
        Commands.run(List.of("sh", conf.resolve("install-lib.sh").toString(), war.toString(), base.toString(),
                driverJar.toString()));
        Files.copy(war, base.resolve("webapps/tollgate.war"), StandardCopyOption.REPLACE_EXISTING);
        return new TomcatInstance(home, base, port, List.of("-Dtollgate.config=" + config, "-Xmx256m"));
    }

    /**
     * A single gateway on SQLite through tomcat-conf's context file, its database in
     * {@code base/data/tollgate} (which may be a mount of its own), with the given JVM options.
     */
    public static TomcatInstance sqlite(Path home, Path base, Path war, Path config, List<String> javaOptions)
            throws IOException {
        Path conf = Path.of("tomcat-conf").toAbsolutePath();
        int port = prepare(home, base);
        Files.createDirectories(base.resolve("data/tollgate"));
        Files.copy(conf.resolve("Catalina/localhost/tollgate.xml"), base.resolve("conf/Catalina/localhost/tollgate.xml"));
        Commands.run(List.of("sh", conf.resolve("install-lib.sh").toString(), war.toString(), base.toString()));
        Files.copy(war, base.resolve("webapps/tollgate.war"), StandardCopyOption.REPLACE_EXISTING);
        List<String> options = new ArrayList<>(javaOptions);
        options.add("-Dtollgate.config=" + config);
        return new TomcatInstance(home, base, port, options);
    }

    /** A fresh CATALINA_BASE with the distribution's conf files, a free port and tomcat-conf's hardening. */
    private static int prepare(Path home, Path base) throws IOException {
        Path conf = Path.of("tomcat-conf").toAbsolutePath();
        if (Files.exists(base.resolve("data/tollgate"))) {
            try (Stream<Path> files = Files.list(base)) { // keep a mounted data folder; clear the rest
                for (Path p : files.filter(p -> !p.getFileName().toString().equals("data")).toList()) {
                    deleteTree(p);
                }
            }
        } else {
            deleteTree(base);
        }
        for (String dir : List.of("conf/Catalina/localhost", "lib", "logs", "temp", "work", "webapps")) {
            Files.createDirectories(base.resolve(dir));
        }
        for (String file : List.of("web.xml", "catalina.properties", "logging.properties", "context.xml")) {
            Files.copy(home.resolve("conf").resolve(file), base.resolve("conf").resolve(file));
        }
        int port = freePort();
        Path distServer = home.resolve("conf/server.xml.dist");
        String server = Files.readString(Files.exists(distServer) ? distServer : home.resolve("conf/server.xml"));
        Files.writeString(base.resolve("conf/server.xml"),
                server.replace("port=\"8080\"", "port=\"" + port + "\"").replace("port=\"8005\"", "port=\"-1\""));
        Files.copy(conf.resolve("tomcat-users.xml"), base.resolve("conf/tomcat-users.xml"));
        Commands.run(List.of("sh", conf.resolve("harden.sh").toString(), base.toString()));
        return port;
    }

    /** The gateway's base URL on this instance, ending in '/'. */
    public String url() {
        return "http://127.0.0.1:" + port + "/tollgate/";
    }

    public Path base() {
        return base;
    }

    public void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("logs/console.log").toFile()));
        pb.environment().put("CATALINA_HOME", home.toString());
        pb.environment().put("CATALINA_BASE", base.toString());
        pb.environment().put("CATALINA_PID", base.resolve("tomcat.pid").toString());
        pb.environment().put("JAVA_OPTS", String.join(" ", javaOptions));
        pb.environment().put("TOLLGATE_MASTER_PASSWORD", TestRig.MASTER_PASSWORD); // stored credentials need one
        process = pb.start();
    }

    /** A graceful stop (SIGTERM runs Tomcat's shutdown hook: the WAR undeploys and flushes its records). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * A {@code kill -9} of Tomcat's JVM: no shutdown hook, no undeploy, no flush. The shell that
     * started it is killed too.
     */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> jvms = process.descendants().toList();
        jvms.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        for (ProcessHandle h : jvms) {
            h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String log() throws IOException {
        return Files.readString(base.resolve("logs/console.log"));
    }

    /** Everything Tomcat and the WAR logged, every file under logs/. */
    public String allLogs() throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            for (Path f : files.sorted().toList()) {
                out.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return out.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }


    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
