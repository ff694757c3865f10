package dev.tollgate.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keys of the seed systems' config files (CLIProxyAPI, its QuantumSpring fork, the Rust gateway)
 * that a WAR cannot honour because the container owns what they set. Each is read, so it is not
 * reported as unknown, and named in one log line with what to use instead; nothing is silently dropped.
 */
final class SeedKeys {
    private static final Map<String, String> TOP = new LinkedHashMap<>();

    static {
        String connector = "the container's HTTP connector sets it (Tomcat: conf/server.xml <Connector>; WildFly: the socket-binding)";
        TOP.put("host", connector);
        TOP.put("port", connector);
        TOP.put("tls", "TLS is the container's (Tomcat: an SSL <Connector>; WildFly: the https-listener), or a reverse proxy's");
        TOP.put("debug", "log levels are the container's (Tomcat: conf/logging.properties, logger dev.tollgate; WildFly: the logging subsystem)");
        TOP.put("logging-to-file", "the container writes the logs (Tomcat: logs/catalina.*.log; WildFly: log/server.log); the System page shows recent lines");
        TOP.put("log-dir", "the container chooses where logs go (see logging-to-file)");
        TOP.put("auth-dir", "OAuth logins to provider accounts are not supported; configure API keys (claude-api-key, codex-api-key, gemini-api-key)");
        TOP.put("remote-management", "use the admin API (/admin/*) and the dashboard, behind the container's login (role tollgate-admin) and ops.allowed-networks");
        TOP.put("quota-exceeded", "a credential that answers 429 rests (routing.cooldown) and the next one serves; project and preview-model switching is not supported");
        TOP.put("dashboard", "the dashboard is at /_qs/metrics/ui behind the container's login (roles tollgate-viewer, tollgate-admin); users and passwords live in the container's realm");
        TOP.put("daemon", "the container runs the gateway; stop and start it with the container (a config change needs neither: the file is reloaded)");
        TOP.put("ws-auth", "there is no WebSocket API (/v1/ws); every call is HTTP, authenticated by its client key");
        TOP.put("max-retry-interval", "a failing credential rests for routing.cooldown, doubled per failure up to routing.max-cooldown");
    }

    private SeedKeys() {
    }

    /** What to use instead of the top-level key {@code key}; empty when the gateway knows the key. */
    static Optional<String> instead(String key) {
        return Optional.ofNullable(TOP.get(key));
    }

    static Iterable<String> topLevel() {
        return TOP.keySet();
    }
}
