package dev.tollgate.logs;

import dev.tollgate.access.Caller;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import dev.tollgate.store.FleetJobs;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request log's way in: a call takes a {@link Transcript} when logs are on, and hands it over
 * with its usage record when the record is made. Bodies wait in memory, at most
 * {@code logs.queue-bytes} of them; one beyond that is dropped and counted, never waited for, so
 * logging cannot slow a call. One writer thread builds the entries (parsing, redaction,
 * compression all happen there) and writes them in batches, apart from the usage recorder, whose
 * records never wait on it. It survives anything a batch throws: the batch is counted as dropped
 * and the thread goes on.
 */
public final class LogCapture implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LogCapture.class.getName());
    private static final int BATCH = 500;
    private static final Duration FLUSH = Duration.ofMillis(200);
    /**
     * How long a batch gathers after its first call: a commit costs about as much as a few
     * entries, so under load the writer commits every 50 ms or 500 entries instead of after each
     * handful that arrived while it wrote the last batch. A call shows in search that much later.
     */
    private static final Duration GATHER = Duration.ofMillis(50);

    private final TollgateConfig.Logs settings;
    private final LogWrites writes;
    private final EntryBuilder builder;
    private final RecentThreads recent;
    /** Conversations remembered for answers' headers: a few MB. */
    private static final int RECENT_THREADS = 20_000;
    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicBoolean announceFailed = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closing;

    /** @param bytes what it holds of the budget besides its stream's copy */
    private record Waiting(Transcript transcript, UsageRecord record, long bytes) {
        void release(AtomicLong queued) {
            queued.addAndGet(-bytes);
            transcript.release();
        }
    }

    private LogCapture(TollgateConfig.Logs settings, Database db) {
        this.settings = settings;
        this.recent = new RecentThreads(RECENT_THREADS, settings.conversationIdle().toMillis());
        this.writes = db == null ? null : new LogWrites(db, settings.conversationIdle(), recent);
        this.builder = new EntryBuilder(settings);
        if (settings.enabled() && db != null) {
            this.thread = new Thread(this::run, "tollgate-log-writer");
            this.thread.setDaemon(true);
            this.thread.start();
        } else {
            this.thread = null;
        }
    }

    /** Logs as the config says, into {@code db}. */
    public static LogCapture start(TollgateConfig.Logs settings, Database db) {
        return new LogCapture(settings, db);
    }

    public boolean enabled() {
        return thread != null;
    }

    /**
     * A transcript for a call about to run, when logs are on.
     *
     * @param codec the client's chat format, empty for other calls (completions, embeddings)
     */
    public Transcript open(Optional<ChatCodec> codec) {
        return enabled() ? new Transcript(codec, (int) Math.min(Integer.MAX_VALUE, settings.maxBodyBytes()), budget)
                : null;
    }

    /**
     * Finds the conversation a chat call belongs to before its answer goes, so the answer can name
     * it: the one the client named, else the recent conversation its history continues, else a new
     * one under the call's own id. The log writer decides where the call is stored and may find a
     * parent this did not (one written after this looked); an answer's name then still leads there
     * (see {@link RecentThreads}). The request's keys are kept for the writer, which would compute
     * the same.
     */
    public void announce(Transcript t, String callId, JsonObject request, Caller caller, Instant now) {
        try {
            String named = EntryBuilder.namedConversation(t.conversationHint(), request);
            if (named != null) {
                t.announce(EntryBuilder.namedConversation(recent.resolve(named), null), null);
                return;
            }
            if (t.codec().isEmpty()) {
                return;
            }
            ConversationKeys.Request keys = ConversationKeys.of(t.codec().get(), request, EntryBuilder.callerOf(caller))
                    .orElse(null);
            if (keys != null) { // only a name fit for a header: 1 to 128 visible characters
                t.announce(EntryBuilder.namedConversation(recent.find(keys.history(), now.toEpochMilli()).orElse(callId),
                        null), keys);
            }
        } catch (RuntimeException e) { // logging never fails a call: the answer goes without the header
            if (announceFailed.compareAndSet(false, true)) { // said once: it would repeat on every such call
                LOG.log(Level.WARNING, "tollgate: could not find a call's conversation; its answer goes without "
                        + "x-tollgate-conversation-id", e);
            }
        }
    }

    /** Open streams' copies and waiting calls share {@code logs.queue-bytes}. */
    private final Transcript.Budget budget = new Transcript.Budget() {
        @Override
        public boolean take(long bytes) {
            if (queuedBytes.addAndGet(bytes) > settings.queueBytes()) {
                queuedBytes.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        @Override
        public void release(long bytes) {
            queuedBytes.addAndGet(-bytes);
        }
    };

    /** The call's record is made: its transcript joins the queue, or is dropped when the queue is full. */
    public void recorded(Transcript transcript, UsageRecord record) {
        long bytes = transcript.size() - transcript.held(); // a stream's copy holds its part already
        if (closing || !budget.take(bytes)) {
            transcript.release();
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warning("tollgate: the request log is behind; " + n + " call(s) not logged so far (usage records "
                        + "are not affected)");
            }
            return;
        }
        queue.add(new Waiting(transcript, record, bytes));
    }

    public long written() {
        return written.get();
    }

    /** Calls not logged: the queue was full, or their batch could not be written. */
    public long dropped() {
        return dropped.get();
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    public int queued() {
        return queue.size();
    }

    public String lastError() {
        return lastError.get();
    }

    public boolean running() {
        return thread == null || thread.isAlive();
    }

    /** Removes whole days past {@code logs.retention-days}; returns the entries removed. */
    public int retain(Instant now) {
        return settings.retentionDays() <= 0 || writes == null ? 0 : writes.deleteBefore(now, settings.retentionDays());
    }

    /**
     * Removes whole days past {@code logs.retention-days} once a day across a fleet: every instance
     * looks hourly, the one that wins the day's turn does the work.
     */
    public void scheduleRetention(ScheduledExecutorService timer, FleetJobs turns, Clock clock) {
        if (!enabled() || settings.retentionDays() <= 0) {
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (turns.claim("log-retention", Duration.ofDays(1), clock.millis())) {
                    LOG.info("tollgate: log retention removed " + retain(clock.instant()) + " logged call(s) older than "
                            + settings.retentionDays() + " days");
                }
            } catch (RuntimeException e) {
                LOG.warning("tollgate: log retention failed, the next daily turn tries again: " + e.getMessage());
            }
        }, 1, 60, TimeUnit.MINUTES);
    }

    private void run() {
        List<Waiting> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Waiting first = queue.poll(FLUSH.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                gather(batch, System.nanoTime() + GATHER.toNanos());
                write(batch);
            } catch (InterruptedException e) { // only close() interrupts, after waiting its ten seconds
                dropped.addAndGet(batch.size());
                if (closing && queue.isEmpty()) {
                    return;
                }
            } catch (Throwable t) { // never die: report and go on
                failed(batch.size(), t);
            } finally {
                batch.forEach(w -> w.release(queuedBytes));
                batch.clear();
            }
        }
    }

    /** Fills the batch with what waits, waiting for more until {@code deadline} unless it is full or closing. */
    private void gather(List<Waiting> batch, long deadline) throws InterruptedException {
        queue.drainTo(batch, BATCH - batch.size());
        long left = deadline - System.nanoTime();
        if (batch.size() < BATCH && left > 0 && !closing) {
            TimeUnit.NANOSECONDS.sleep(left);
            queue.drainTo(batch, BATCH - batch.size());
        }
    }

    private void write(List<Waiting> batch) throws Exception {
        List<LogEntry> entries = new ArrayList<>(batch.size());
        for (Waiting w : batch) {
            try {
                entries.add(builder.build(w.transcript(), w.record()));
            } catch (RuntimeException e) { // one call's odd bytes never cost the others their entries
                failed(1, e);
            }
        }
        for (int attempt = 1; ; attempt++) { // a database busy for a moment gets a few more tries
            try {
                writes.write(entries);
                break;
            } catch (SQLException e) {
                if (attempt == 3 || closing) {
                    throw e;
                }
                Thread.sleep(200L * attempt);
            }
        }
        written.addAndGet(entries.size());
        if (lastError.getAndSet(null) != null) {
            LOG.info("tollgate: the request log is being written again");
        }
    }

    private void failed(int calls, Throwable t) {
        dropped.addAndGet(calls);
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        if (lastError.getAndSet(message) == null) {
            LOG.log(t instanceof Error ? Level.SEVERE : Level.WARNING, "tollgate: cannot write the request log; "
                    + calls + " call(s) not logged: " + message, t instanceof Error ? t : null);
        }
    }

    /** Writes what waits, for up to ten seconds, then stops. */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        closing = true;
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        int left = queue.size();
        if (left > 0) { // said, not lost silently: the usage records of these calls are written regardless
            dropped.addAndGet(left);
            LOG.warning("tollgate: shutting down with " + left + " call(s) not yet in the request log; they are not logged");
        }
    }
}
