package dev.tollgate.ops;

import dev.tollgate.config.TollgateConfig;
import java.io.OutputStream;
import java.util.Collection;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Where the gateway's own lines go. {@code plain}: nothing changes, the container's logging writes
 * them. {@code json}: the {@code dev.tollgate} loggers write one JSON object per line to standard
 * output (which Tomcat's catalina.out and WildFly's console and server.log take in), and no longer
 * through the container's text handlers, so each line is written once. Undone on {@link #close}.
 */
public final class LogOutput implements AutoCloseable {
    private final Logger logger;
    private final Handler handler;
    private final boolean parents;

    private LogOutput(Logger logger, Handler handler) {
        this.logger = logger;
        this.handler = handler;
        this.parents = logger.getUseParentHandlers();
    }

    /** Applies {@code logging.format}; with {@code plain}, a no-op. */
    public static LogOutput apply(TollgateConfig config, Supplier<Collection<String>> secrets, OutputStream out) {
        Logger logger = Logger.getLogger("dev.tollgate");
        if (config.logging().format() == TollgateConfig.Logging.Format.PLAIN) {
            return new LogOutput(logger, null);
        }
        Handler h = new StreamHandler(out, new JsonLogFormatter(config.instanceId(), secrets)) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line is whole in the log at once, not when a buffer fills
            }
        };
        LogOutput output = new LogOutput(logger, h);
        logger.addHandler(h);
        logger.setUseParentHandlers(false);
        return output;
    }

    @Override
    public void close() {
        if (handler != null) {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parents);
            handler.flush();
        }
    }
}
