package dev.tollgate.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/** Deletes records older than {@code retention-days}, at start-up and daily, and logs how many. */
public final class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    private final UsageTable table;
    private final int days;
    private final Clock clock;
    private final AtomicLong deleted = new AtomicLong();

    public Retention(UsageTable table, int days, Clock clock) {
        this.table = table;
        this.days = days;
        this.clock = clock;
    }

    /** Runs now and then every day; retention-days 0 keeps everything and schedules nothing. */
    public void schedule(ScheduledExecutorService timer) {
        if (days <= 0) {
            LOG.info("tollgate: retention-days is 0; usage records are kept forever");
            return;
        }
        timer.scheduleWithFixedDelay(this::runSafely, 0, Duration.ofDays(1).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes what is past retention now; returns the count. */
    public int run() throws java.sql.SQLException {
        int n = table.deleteBefore(clock.instant().minus(Duration.ofDays(days)));
        deleted.addAndGet(n);
        LOG.info("tollgate: retention removed " + n + " usage record(s) older than " + days + " days");
        return n;
    }

    public long deleted() {
        return deleted.get();
    }

    private void runSafely() {
        try {
            run();
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.warning("tollgate: retention cleanup failed, will try again tomorrow: " + e.getMessage());
        }
    }
}
