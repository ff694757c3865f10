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
    /** A line's message is cut to this many characters (the log buffer keeps fewer). */
    static final int MAX_CHARS = 16_000;

    private final String instanceId;
    private final Supplier<Collection<String>> secrets;

    public JsonLogFormatter(String instanceId, Supplier<Collection<String>> secrets) {
        this.instanceId = instanceId;
        this.secrets = secrets;
    }

    @Override
    public String format(LogRecord r) {
        String text = TEXT.formatMessage(r);
        // cut before masking, as the log buffer does: a huge message costs neither the regexes nor the pipeline
        String message = SecretMask.mask(text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "…" : text, secrets.get());
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
            String error = r.getThrown().toString();
            b.add("error", SecretMask.mask(error.length() > MAX_CHARS ? error.substring(0, MAX_CHARS) + "…" : error, secrets.get()));
        }
        return b.build().toString() + System.lineSeparator();
    }
}
