package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.SecretMask;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;

/**
 * One JSON object per line ({@code logging.format: json}): {@code time}, {@code level},
 * {@code logger}, {@code message}, {@code request_id} (the first the message names),
 * {@code instance_id}, {@code error} for a thrown exception, and a finished call's own fields
 * ({@code model}, {@code provider}, {@code status}, {@code duration_ms}, ...; see {@link CallLog}).
 * Secrets are masked as the gateway log buffer masks them, before the line is written.
 */
public final class JsonLogFormatter extends Formatter {
    private static final SimpleFormatter TEXT = new SimpleFormatter();

    private final String instanceId;
    private final Supplier<Collection<String>> secrets;

    public JsonLogFormatter(String instanceId, Supplier<Collection<String>> secrets) {
        this.instanceId = instanceId;
        this.secrets = secrets;
    }

    @Override
    public String format(LogRecord r) {
        String message = SecretMask.mask(TEXT.formatMessage(r), secrets.get());
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("time", Instant.ofEpochMilli(r.getMillis()).toString())
                .add("level", r.getLevel().getName())
                .add("logger", r.getLoggerName() == null ? "" : r.getLoggerName())
                .add("message", message)
                .add("instance_id", instanceId);
        Matcher id = LogBuffer.REQUEST_ID.matcher(message);
        Map<String, Object> call = CallLog.fields(r);
        if (call != null) {
            call.forEach((k, v) -> {
                if (v instanceof Number n) {
                    b.add(k, n.longValue());
                } else if (v instanceof Boolean f) {
                    b.add(k, f);
                } else if (v != null) {
                    b.add(k, SecretMask.mask(v.toString(), secrets.get()));
                }
            });
        } else if (id.find()) {
            b.add("request_id", id.group());
        }
        if (r.getThrown() != null) {
            b.add("error", SecretMask.mask(r.getThrown().toString(), secrets.get()));
        }
        return b.build().toString() + System.lineSeparator();
    }
}
