package dev.tollgate.app;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's timer threads. A periodic task that throws is never run again by a plain
 * {@link ScheduledThreadPoolExecutor}, silently: here every task is guarded, so a failure, an
 * {@link Error} included, is logged and the task runs again at its next turn (key and limit refreshes,
 * retention, the stream watchdog, body deadlines, the live feed's keep-alives).
 */
final class GuardedTimer extends ScheduledThreadPoolExecutor {
    private static final Logger LOG = Logger.getLogger(GuardedTimer.class.getName());

    GuardedTimer(int threads) {
        super(threads, daemons());
    }

    private static ThreadFactory daemons() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "tollgate-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(Level.SEVERE, "tollgate: a timed task failed; it runs again at its next turn", t);
            }
        };
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(guard(command), delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return super.scheduleAtFixedRate(guard(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return super.scheduleWithFixedDelay(guard(command), initialDelay, delay, unit);
    }
}
