package dev.tollgate.ops;

import dev.tollgate.usage.UsageRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A line per finished call ({@code logging.calls: true}) on the logger {@code dev.tollgate.calls}:
 * in plain text a readable summary, in JSON ({@link JsonLogFormatter}) the call's fields as fields
 * of the line. Written from the same finished record the usage account keeps, so they agree.
 */
public final class CallLog implements Consumer<UsageRecord> {
    static final String LOGGER = "dev.tollgate.calls";
    private static final Logger LOG = Logger.getLogger(LOGGER);

    @Override
    public void accept(UsageRecord r) {
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", r.id());
        f.put("endpoint", r.endpoint());
        f.put("model", r.model() != null ? r.model() : r.requestedModel());
        f.put("provider", r.provider());
        f.put("status", r.status());
        f.put("duration_ms", r.latencyMs());
        f.put("stream", r.stream());
        f.put("key", r.caller().key().masked());
        LogRecord line = new LogRecord(Level.INFO, "call " + r.id() + " " + f.get("model") + " via " + r.provider() + ": "
                + r.status() + " in " + r.latencyMs() + " ms");
        line.setLoggerName(LOGGER);
        line.setParameters(new Object[] {new Fields(f)});
        LOG.log(line);
    }

    /** The call's fields a line carries, or null for any other line. */
    static Map<String, Object> fields(LogRecord r) {
        Object[] p = r.getParameters();
        return p != null && p.length == 1 && p[0] instanceof Fields f ? f.values() : null;
    }

    /** A call's fields, wrapped so no other parameter is taken for them. */
    record Fields(Map<String, Object> values) {
        @Override
        public String toString() {
            return values.toString();
        }
    }
}
