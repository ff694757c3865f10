package dev.tollgate.it.fleet;

import dev.tollgate.it.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One instance of a fleet: a real Tomcat process with its own CATALINA_BASE over the unpacked
 * distribution, set up as tomcat-conf/README.md tells ops to for PostgreSQL (install-lib.sh with
 * the driver jar, the PostgreSQL context file, the realm users), the WAR in webapps/.
 */
final class TomcatInstance {
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
    static TomcatInstance create(Path home, Path base, Path war, Path driverJar, Path config, String dbUrl,
                                 String dbUser) throws IOException {
        Path conf = Path.of("tomcat-conf").toAbsolutePath();
        deleteTree(base);
        for (String dir : List.of("conf/Catalina/localhost", "lib", "logs", "temp", "work", "webapps")) {
            Files.createDirectories(base.resolve(dir));
        }
        for (String file : List.of("web.xml", "catalina.properties", "logging.properties", "context.xml")) {
            Files.copy(home.resolve("conf").resolve(file), base.resolve("conf").resolve(file));
        }
        // where tomcat-conf/postgresql/ tells ops to put the database (not -D: Tomcat logs those)
        Files.writeString(base.resolve("conf/catalina.properties"), "\ntollgate.db.url=" + dbUrl + "\ntollgate.db.user="
                + dbUser + "\ntollgate.db.password=\n", java.nio.file.StandardOpenOption.APPEND);
        int port = freePort();
        Path distServer = home.resolve("conf/server.xml.dist");
        String server = Files.readString(Files.exists(distServer) ? distServer : home.resolve("conf/server.xml"));
        Files.writeString(base.resolve("conf/server.xml"),
                server.replace("port=\"8080\"", "port=\"" + port + "\"").replace("port=\"8005\"", "port=\"-1\""));
        Files.copy(conf.resolve("tomcat-users.xml"), base.resolve("conf/tomcat-users.xml"));
        Files.copy(conf.resolve("postgresql/Catalina/localhost/tollgate.xml"),
                base.resolve("conf/Catalina/localhost/tollgate.xml"));
        Commands.run(List.of("sh", conf.resolve("install-lib.sh").toString(), war.toString(), base.toString(),
                driverJar.toString()));
        Files.copy(war, base.resolve("webapps/tollgate.war"), StandardCopyOption.REPLACE_EXISTING);
        return new TomcatInstance(home, base, port, List.of("-Dtollgate.config=" + config, "-Xmx256m"));
    }

    /** The gateway's base URL on this instance, ending in '/'. */
    String url() {
        return "http://127.0.0.1:" + port + "/tollgate/";
    }

    void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("logs/console.log").toFile()));
        pb.environment().put("CATALINA_HOME", home.toString());
        pb.environment().put("CATALINA_BASE", base.toString());
        pb.environment().put("CATALINA_PID", base.resolve("tomcat.pid").toString());
        pb.environment().put("JAVA_OPTS", String.join(" ", javaOptions));
        process = pb.start();
    }

    /** A graceful stop (SIGTERM runs Tomcat's shutdown hook: the WAR undeploys and flushes its records). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    String log() throws IOException {
        return Files.readString(base.resolve("logs/console.log"));
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
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
