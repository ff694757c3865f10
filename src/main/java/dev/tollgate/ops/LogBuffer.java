package dev.tollgate.ops;

import dev.tollgate.config.SecretMask;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's recent log lines, for the dashboard's Gateway log page and {@code GET /admin/log}:
 * a bounded ring of the last {@link #CAPACITY} lines of the {@code dev.tollgate} loggers, each cut
 * to {@link #MAX_CHARS}. Secrets are masked before a line is kept ({@link SecretMask}: every
 * secret of the config in force and anything shaped like a key), so no page can show one.
 */
public final class LogBuffer extends Handler {
    public static final int CAPACITY = 2_000;
    static final int MAX_CHARS = 4_000;
    static final Pattern REQUEST_ID = Pattern.compile("\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b");
    private static final SimpleFormatter TEXT = new SimpleFormatter();

    private final Deque<Line> lines = new ArrayDeque<>();
    private final Logger logger;
    private volatile Supplier<Collection<String>> secrets = Set::of;
    private long next = 1;

    /**
     * One kept line.
     *
     * @param seq       increasing: a page asks for the lines after the last it has
     * @param requestId the first request id the message names, if any
     */
    public record Line(long seq, Instant time, String level, String logger, String message, String requestId) {
    }

    private LogBuffer(Logger logger) {
        this.logger = logger;
        setLevel(Level.INFO);
    }

    /** Starts keeping the lines of {@code loggerName} and its children; {@link #close} stops. */
    public static LogBuffer attach(String loggerName) {
        Logger logger = Logger.getLogger(loggerName);
        LogBuffer buffer = new LogBuffer(logger);
        logger.addHandler(buffer);
        return buffer;
    }

    /** Where the secrets to mask come from (the config in force); until set, only key shapes are masked. */
    public void maskSecretsOf(Supplier<Collection<String>> source) {
        this.secrets = source;
    }

    @Override
    public void publish(LogRecord r) {
        if (r == null || !isLoggable(r)) {
            return;
        }
        String message = TEXT.formatMessage(r);
        if (r.getThrown() != null) {
            message = message + " [" + r.getThrown() + "]";
        }
        if (message.length() > MAX_CHARS) {
            message = message.substring(0, MAX_CHARS) + "…";
        }
        String masked;
        try {
            masked = SecretMask.mask(message, secrets.get());
        } catch (RuntimeException e) { // the config is not readable yet: keep no line rather than an unmasked one
            return;
        }
        Matcher id = REQUEST_ID.matcher(masked);
        synchronized (this) {
            lines.addLast(new Line(next++, Instant.ofEpochMilli(r.getMillis()), r.getLevel().getName(),
                    r.getLoggerName() == null ? "" : r.getLoggerName(), masked, id.find() ? id.group() : null));
            if (lines.size() > CAPACITY) {
                lines.removeFirst();
            }
        }
    }

    /**
     * The kept lines after {@code after}, at {@code minLevel} or above, containing {@code text}
     * (case-insensitive) when given; oldest first, at most {@code limit} (the newest of them).
     */
    public synchronized List<Line> since(long after, Level minLevel, String text, int limit) {
        String needle = text == null || text.isBlank() ? null : text.toLowerCase(Locale.ROOT);
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.seq() > after && Level.parse(l.level()).intValue() >= minLevel.intValue()
                    && (needle == null || (l.logger() + " " + l.message()).toLowerCase(Locale.ROOT).contains(needle))) {
                out.add(l);
            }
        }
        return out.size() > limit ? List.copyOf(out.subList(out.size() - limit, out.size())) : out;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
