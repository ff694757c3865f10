package dev.tollgate.usage;

import dev.tollgate.store.FleetJobs;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Deletes records older than {@code retention-days} once a day across the whole fleet: every
 * instance looks hourly (and at start-up), and the one that wins the day's turn in
 * {@link FleetJobs} does the work and logs how many it removed.
 */
public final class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    static final String JOB = "retention";
    private static final Duration EVERY = Duration.ofDays(1);
    private static final Duration LOOK = Duration.ofHours(1);

    private final UsageTable table;
    private final FleetJobs turns;
    private final int days;
    private final Clock clock;
    private final AtomicLong deleted = new AtomicLong();

    public Retention(UsageTable table, FleetJobs turns, int days, Clock clock) {
        this.table = table;
        this.turns = turns;
        this.days = days;
        this.clock = clock;
    }

    /** Looks now and then every hour; retention-days 0 keeps everything and schedules nothing. */
    public void schedule(ScheduledExecutorService timer) {
        if (days <= 0) {
            LOG.info("tollgate: retention-days is 0; usage records are kept forever");
            return;
        }
        timer.scheduleWithFixedDelay(this::runSafely, 0, LOOK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes what is past retention now; returns the count. */
    public int run() throws SQLException {
        int n = table.deleteBefore(clock.instant().minus(Duration.ofDays(days)));
        deleted.addAndGet(n);
        LOG.info("tollgate: retention removed " + n + " usage record(s) older than " + days + " days");
        return n;
    }

    public long deleted() {
        return deleted.get();
    }

    /** Runs when this instance wins the day's turn; returns whether it did. */
    public boolean runIfDue() throws SQLException {
        if (!turns.claim(JOB, EVERY, clock.millis())) {
            return false;
        }
        run();
        return true;
    }

    private void runSafely() {
        try {
            runIfDue();
        } catch (SQLException | RuntimeException e) {
            LOG.warning("tollgate: retention cleanup failed, the next daily turn tries again: " + e.getMessage());
        }
    }
}
