package dev.tollgate.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Reloads the config file when it changes (watched by polling its modification time and size,
 * which also sees a Kubernetes ConfigMap's symlink swap that file-system events miss) and on demand
 * ({@code POST /admin/config/reload}). A new file is read, parsed and validated whole, then handed
 * to the {@link Target}, which builds everything it needs before swapping anything; only then is
 * it the config in force. A file that fails at any step leaves the running config as it was, and
 * the failure, with its key and line, is logged and kept for health and the admin API.
 */
public final class ConfigReloader {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

    /** Puts a validated config into effect; throws {@link ConfigException} to refuse it, having changed nothing. */
    @FunctionalInterface
    public interface Target {
        void apply(TollgateConfig previous, TollgateConfig next);
    }

    /** What a reload did. */
    public sealed interface Outcome {
        /** Now in force; {@code restartNeeded} lists the changed keys that take effect only at the next start. */
        record Applied(String hash, List<String> restartNeeded) implements Outcome {
        }

        /** The file's bytes are those already in force: nothing to do. */
        record Unchanged(String hash) implements Outcome {
        }

        /** The file was refused; the running config stays. */
        record Refused(String error) implements Outcome {
        }

        /** The gateway runs on defaults, without a file to reload. */
        record NoFile() implements Outcome {
        }
    }

    private final ConfigLocator locator;
    private final Optional<Path> file;
    private final LiveConfig live;
    private final Target target;
    private final Clock clock;
    /** The file's modification time and size at the watch's last check, and at the last settled change it acted on. */
    private FileTime seen;
    private FileTime checked;

    private record FileTime(long modified, long size) {
    }

    public ConfigReloader(ConfigLocator locator, Optional<Path> file, LiveConfig live, Target target, Clock clock) {
        this.locator = locator;
        this.file = file;
        this.live = live;
        this.target = target;
        this.clock = clock;
        this.seen = file.map(ConfigReloader::stat).orElse(null);
        this.checked = seen;
    }

    /** Reads the file now and applies it if its bytes changed. */
    public synchronized Outcome reload() {
        if (file.isEmpty()) {
            return new Outcome.NoFile();
        }
        TollgateConfig previous = live.get();
        ConfigLocator.Loaded loaded;
        try {
            loaded = locator.read(file.get());
            if (loaded.hash().equals(live.status().hash())) {
                live.current(); // the file is back to what is in force: an earlier refusal no longer describes it
                return new Outcome.Unchanged(loaded.hash());
            }
            target.apply(previous, loaded.config());
        } catch (ConfigException | IllegalArgumentException e) {
            // a bad value is echoed in the message: if it is a key pasted in the wrong place, it is masked
            String error = SecretMask.mask(e.getMessage(), SecretMask.of(previous));
            live.refused(error, clock.instant());
            LOG.warning("tollgate: config reload refused, the running config stays in force: " + error);
            return new Outcome.Refused(error);
        }
        live.swap(loaded.config(), loaded.hash(), clock.instant());
        List<String> restart = previous.restartOnlyChanges(loaded.config());
        LOG.info("tollgate: configuration reloaded from " + file.get() + " (hash " + loaded.hash() + ", "
                + loaded.config().credentials().size() + " credential(s))"
                + (restart.isEmpty() ? "" : "; these changes take effect at the next start: " + String.join(", ", restart)));
        return new Outcome.Applied(loaded.hash(), restart);
    }

    /**
     * Checks the file every {@code period} and reloads once a change has settled (the same time and
     * size at two checks in a row), so an editor's half-written file is not read.
     */
    public void watch(ScheduledExecutorService timer, Duration period) {
        if (file.isEmpty()) {
            return;
        }
        timer.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            FileTime now = stat(file.get());
            boolean settledChange;
            synchronized (this) {
                settledChange = now != null && now.equals(seen) && !now.equals(checked);
                seen = now;
                if (settledChange) {
                    checked = now;
                }
            }
            if (settledChange) {
                reload(); // the hash decides whether anything changed; the time only says when to look
            }
        } catch (RuntimeException e) { // a thrown task is never run again: the watch must outlive any failure
            LOG.warning("tollgate: config watch failed, checking again shortly: " + e);
        }
    }

    private static FileTime stat(Path path) {
        try {
            return new FileTime(Files.getLastModifiedTime(path).toMillis(), Files.size(path));
        } catch (IOException e) {
            return null; // gone for a moment (an editor's rename): looked at again next time
        }
    }
}
