package dev.tollgate.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes finished records from request threads without ever blocking them and writes them in
 * batches from one writer thread. While the database is down, the batch in hand and the queue
 * wait in memory, up to a bound; what does not fit is counted as dropped and shown in health,
 * unless the journal holds it (journaled mode), in which case it waits there for the next start.
 * {@link #close} writes everything still queued before it returns.
 *
 * <p>The writer thread survives anything a batch throws, {@link Error}s included: it reports the
 * failure (health, log), pauses and goes on, so the gateway never keeps serving while silently no
 * longer recording. Health reads its real state: the last commit, the last failure, what waits.
 */
public final class UsageRecorder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Where batches go; the database table in production. */
    @FunctionalInterface
    public interface BatchWriter {
        void write(List<UsageRecord> batch) throws Exception;
    }

    private final BatchWriter writer;
    private final RecordJournal journal;
    private final int batchSize;
    private final Duration flushInterval;
    private final BlockingQueue<UsageRecord> queue;
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile Instant lastCommit;
    private final List<UsageRecord> pending = new ArrayList<>();
    private volatile boolean closing;

    public UsageRecorder(BatchWriter writer, int batchSize, Duration flushInterval, int capacity) {
        this(writer, batchSize, flushInterval, capacity, null);
    }

    /** @param journal where the records also are until committed (journaled mode); null in buffered mode */
    public UsageRecorder(BatchWriter writer, int batchSize, Duration flushInterval, int capacity,
                         RecordJournal journal) {
        this.writer = writer;
        this.journal = journal;
        this.batchSize = batchSize;
        this.flushInterval = flushInterval;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "tollgate-recorder");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Never blocks: a full queue leaves the record to the journal, or drops and counts it. */
    public void submit(UsageRecord record) {
        if (closing || !queue.offer(record)) {
            if (journal != null && journal.retain(record)) {
                if (Long.bitCount(deferred.incrementAndGet()) == 1) {
                    LOG.warning("tollgate: usage recorder is full; " + deferred.get() + " record(s) kept in the "
                            + "journal only, to be written at the next start");
                }
                return;
            }
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: loud but not a log flood
                LOG.severe("tollgate: usage recorder is full or closed; " + n + " record(s) dropped so far");
            }
        }
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Records the queue had no room for, kept in the journal for the next start. */
    public long deferred() {
        return deferred.get();
    }

    /** Batches the database refused since start. */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** When a batch was last committed, or null before the first. */
    public Instant lastCommit() {
        return lastCommit;
    }

    /** Whether the writer thread is alive (it should always be, until close). */
    public boolean running() {
        return thread.isAlive();
    }

    /** Records accepted but not yet in the database. */
    public int backlog() {
        synchronized (pending) {
            return queue.size() + pending.size();
        }
    }

    /** The last write failure, or null when the last write succeeded. */
    public String lastError() {
        return lastError.get();
    }

    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = backlog();
        if (left > 0 && journal != null) {
            LOG.severe("tollgate: shutting down with " + left + " usage record(s) that could not be written: "
                    + lastError.get() + "; they stay in the journal and are written at the next start");
        } else if (left > 0) {
            dropped.addAndGet(left);
            LOG.severe("tollgate: shutting down with " + left + " usage record(s) that could not be written: "
                    + lastError.get());
        }
    }

    private void run() {
        Duration backoff = flushInterval;
        while (true) {
            try {
                fill();
            } catch (InterruptedException e) {
                // closing: fall through to write what is left
            } catch (Throwable t) { // never die: report, pause, go on
                failed(t);
                sleep(backoff);
                continue;
            }
            if (!flushPending()) {
                if (closing) {
                    if (!retryOnceMoreAtClose()) {
                        return;
                    }
                    continue;
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            backoff = flushInterval;
            if (closing && queue.isEmpty()) {
                return;
            }
        }
    }

    /** Waits up to one flush interval for a full batch; returns early when closing. */
    private void fill() throws InterruptedException {
        synchronized (pending) {
            if (pending.size() >= batchSize) {
                return;
            }
        }
        long deadline = System.nanoTime() + flushInterval.toNanos();
        while (!closing) {
            synchronized (pending) {
                if (pending.size() >= batchSize) {
                    return;
                }
            }
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            UsageRecord r = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (r == null) {
                return;
            }
            synchronized (pending) {
                pending.add(r);
                queue.drainTo(pending, batchSize - pending.size());
            }
        }
    }

    /** Writes everything in hand, batch by batch; false when the database refused. */
    private boolean flushPending() {
        while (true) {
            List<UsageRecord> batch;
            synchronized (pending) {
                queue.drainTo(pending, Math.max(0, batchSize - pending.size()));
                if (pending.isEmpty()) {
                    return true;
                }
                batch = List.copyOf(pending.subList(0, Math.min(batchSize, pending.size())));
            }
            try {
                writer.write(batch);
            } catch (Throwable e) { // an Error too: the batch stays in hand, the thread goes on
                failed(e);
                return false;
            }
            lastCommit = Instant.now();
            if (lastError.getAndSet(null) != null) {
                LOG.info("tollgate: usage records are being written again");
            }
            written.addAndGet(batch.size());
            if (journal != null) {
                journal.committed(batch);
            }
            synchronized (pending) {
                pending.subList(0, batch.size()).clear();
            }
            if (!closing && queue.isEmpty()) {
                synchronized (pending) {
                    if (pending.isEmpty()) {
                        return true;
                    }
                }
            }
        }
    }

    private void failed(Throwable e) {
        writeFailures.incrementAndGet();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (lastError.getAndSet(message) == null) {
            if (e instanceof Error) {
                LOG.log(Level.SEVERE, "tollgate: the usage recorder hit an error; holding " + backlog()
                        + " record(s) and retrying", e);
            } else {
                LOG.log(Level.WARNING, "tollgate: cannot write usage records; holding " + backlog()
                        + " in memory and retrying: " + message);
            }
        }
    }

    private int closeRetries;

    /** At shutdown a failing database gets a few quick retries, not an endless wait. */
    private boolean retryOnceMoreAtClose() {
        if (closeRetries++ >= 3) {
            return false;
        }
        sleep(Duration.ofMillis(500));
        return true;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            // only close() interrupts the writer, and it also sets closing, which the loop reads
        }
    }
}
