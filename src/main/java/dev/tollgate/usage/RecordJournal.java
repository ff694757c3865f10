package dev.tollgate.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An append-only file of finished usage records, written before the answer of a call ends and
 * trimmed once the database has committed them, so that a {@code kill -9} loses no record of a call
 * that was answered. A record is written to the file by the thread that ends the call (a write
 * system call, which survives the death of the process); a sync thread makes the file durable
 * (fsync) every {@code sync-interval}, for the records of many calls at once (group commit), which
 * covers a crash of the machine too, up to that interval.
 *
 * <p>The file is a series of segments {@code journal-<n>.log}; each frame is its length, a CRC-32C
 * and the record as JSON, so a frame torn by a crash mid-write is recognised and ignored. A segment
 * is deleted once every record in it has been committed to the database. At start-up the records
 * still in the segments are written to the database (inserts that are ignored where the id is there
 * already, so a replay is harmless) before the segments are deleted.
 */
public final class RecordJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RecordJournal.class.getName());
    static final long SEGMENT_BYTES = 8L * 1024 * 1024;
    /** An active segment whose records are all committed is replaced once it is this big. */
    static final long TRIM_BYTES = 1024 * 1024;
    private static final int MAX_FRAME = 1 << 20;
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final Duration syncInterval;
    private final Map<String, Segment> outstanding = new HashMap<>();
    private final List<Segment> sealed = new ArrayList<>();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread syncer;
    private Segment current;
    private long nextNumber;
    private volatile boolean dirty;
    private volatile boolean closing;
    private volatile Instant lastSync;
    private volatile String lastError;

    /**
     * One file of the journal and how many of its records the database has not committed yet. A
     * pinned segment (no channel) is one a previous run left and this run could not replay: it stays
     * on disk for the next start.
     */
    private static final class Segment {
        final Path path;
        final FileChannel channel;
        long size;
        int pending;

        Segment(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        static Segment pinned(Path path) {
            Segment s = new Segment(path, null);
            s.pending = Integer.MAX_VALUE;
            return s;
        }
    }

    private RecordJournal(Path dir, Duration syncInterval, long nextNumber) {
        this.dir = dir;
        this.syncInterval = syncInterval;
        this.nextNumber = nextNumber;
        this.syncer = new Thread(this::syncLoop, "tollgate-journal-sync");
        this.syncer.setDaemon(true);
    }

    /** What replay found in the segments a previous run left. */
    public record Replayed(List<UsageRecord> records, int segments, int tornFrames) {
    }

    /** The records a previous run left, in order; the segments stay until {@link #open} is given them. */
    public static Replayed read(Path dir) {
        List<UsageRecord> records = new ArrayList<>();
        int torn = 0;
        List<Path> segments = segments(dir);
        for (Path segment : segments) {
            torn += readSegment(segment, records);
        }
        return new Replayed(records, segments.size(), torn);
    }

    /**
     * Opens the journal for appending. When {@code replayed}, the caller has written {@link #read}'s
     * records to the database and the segments they came from are deleted now; otherwise they stay,
     * untouched, for the next start.
     */
    public static RecordJournal open(Path dir, Duration syncInterval, boolean replayed) {
        try {
            Files.createDirectories(dir);
            long next = 1;
            List<Segment> kept = new ArrayList<>();
            for (Path old : segments(dir)) {
                next = Math.max(next, number(old) + 1);
                if (replayed) {
                    Files.delete(old);
                } else {
                    kept.add(Segment.pinned(old));
                }
            }
            RecordJournal journal = new RecordJournal(dir, syncInterval, next);
            synchronized (journal) {
                journal.sealed.addAll(kept);
                journal.current = journal.newSegment();
            }
            journal.syncer.start();
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the usage journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the record to the journal; returns false (and counts a failure) when the file cannot be
     * written, in which case the record still goes on to the database, only without the journal's
     * protection. Never throws: a full disk must not fail the call.
     */
    public boolean append(UsageRecord record) {
        byte[] payload = RecordCodec.encode(record);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer header = ByteBuffer.allocate(8).putInt(payload.length).putInt((int) crc.getValue()).flip();
        ByteBuffer body = ByteBuffer.wrap(payload);
        synchronized (this) {
            if (closing || current == null) {
                return false;
            }
            try {
                long before = current.channel.position();
                try {
                    while (header.hasRemaining() || body.hasRemaining()) {
                        current.channel.write(new ByteBuffer[] {header, body});
                    }
                } catch (IOException e) {
                    current.channel.truncate(before); // no half frame in front of the next one
                    current.channel.position(before);
                    throw e;
                }
                current.size += 8 + payload.length;
                current.pending++;
                Segment previous = outstanding.put(record.id(), current);
                if (previous != null) {
                    previous.pending--; // the same record again (final after provisional): one copy counts
                }
                if (current.size >= SEGMENT_BYTES) {
                    rotate();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                return false;
            }
        }
        appended.incrementAndGet();
        dirty = true;
        if (lastError != null) {
            lastError = null;
            LOG.info("tollgate: the usage journal is being written again");
        }
        return true;
    }

    /**
     * The recorder could not keep this record in memory (its queue is full while the database is
     * away): it stays in its segment, which is kept for the next start to replay, and no longer
     * takes memory here.
     */
    public synchronized boolean retain(UsageRecord record) {
        Segment s = outstanding.remove(record.id());
        if (s == null) {
            return false;
        }
        s.pending = Integer.MAX_VALUE; // pinned until a restart replays it
        return true;
    }

    /** The database has committed these records: segments whose records all are committed go. */
    public void committed(List<UsageRecord> batch) {
        synchronized (this) {
            for (UsageRecord r : batch) {
                Segment s = outstanding.remove(r.id());
                if (s != null) {
                    s.pending--;
                }
            }
            try {
                if (current != null && current.pending == 0 && current.size >= TRIM_BYTES) {
                    rotate(); // the active file is all committed: start afresh rather than let it grow
                }
                for (var it = sealed.iterator(); it.hasNext(); ) {
                    Segment s = it.next();
                    if (s.pending <= 0) {
                        if (s.channel != null) {
                            s.channel.close();
                        }
                        Files.deleteIfExists(s.path);
                        it.remove();
                    }
                }
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /** Records written to the journal and not yet committed to the database. */
    public synchronized int waiting() {
        return outstanding.size();
    }

    public synchronized int segments() {
        return sealed.size() + (current == null ? 0 : 1);
    }

    public long appended() {
        return appended.get();
    }

    public long failures() {
        return failures.get();
    }

    /** When the journal was last made durable, or null before the first sync. */
    public Instant lastSync() {
        return lastSync;
    }

    /** The last failure to write or sync, or null when the last attempt succeeded. */
    public String lastError() {
        return lastError;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Syncs and closes the files. Segments holding records the database has not committed stay on
     * disk for the next start to replay; the others are deleted.
     */
    @Override
    public void close() {
        closing = true;
        syncer.interrupt();
        try {
            syncer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            List<Segment> all = new ArrayList<>(sealed);
            if (current != null) {
                all.add(current);
            }
            for (Segment s : all) {
                if (s.channel == null) {
                    continue; // pinned: left for the next start
                }
                try {
                    s.channel.force(false);
                    s.channel.close();
                    if (s.pending <= 0) {
                        Files.deleteIfExists(s.path);
                    }
                } catch (IOException e) {
                    LOG.warning("tollgate: cannot close usage journal segment " + s.path + ": " + e.getMessage());
                }
            }
            sealed.clear();
            current = null;
        }
    }

    private void syncLoop() {
        while (!closing) {
            try {
                Thread.sleep(syncInterval.toMillis(), (int) (syncInterval.toNanos() % 1_000_000));
            } catch (InterruptedException e) {
                return; // close() syncs the rest
            }
            try {
                sync();
                if (lastError != null) {
                    probe();
                }
            } catch (Throwable t) { // the journal's durability depends on this thread: it must not die
                fail(t);
                if (t instanceof Error) {
                    LOG.log(Level.SEVERE, "tollgate: the usage journal's sync thread hit an error and goes on", t);
                }
            }
        }
    }

    private void sync() throws IOException {
        if (!dirty) {
            return;
        }
        dirty = false;
        FileChannel channel;
        synchronized (this) {
            channel = current == null ? null : current.channel;
        }
        if (channel != null && channel.isOpen()) {
            channel.force(false);
            lastSync = Instant.now();
            if (lastError != null) {
                lastError = null;
                LOG.info("tollgate: the usage journal is being written again");
            }
        }
    }

    private long lastProbe;

    /**
     * While writes fail (a full disk), once a second: can a block be written and synced in the
     * journal's folder again? If so, the failure is over, even before the next call comes.
     */
    private void probe() {
        long now = System.nanoTime();
        if (now - lastProbe < 1_000_000_000L) {
            return;
        }
        lastProbe = now;
        Path probe = dir.resolve("probe.tmp");
        try (FileChannel c = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(ByteBuffer.allocate(4096));
            c.force(false);
        } catch (IOException e) {
            return; // still failing
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // removed by the next probe
            }
        }
        lastError = null;
        LOG.info("tollgate: the usage journal's folder can be written again");
    }

    /** Seals the active segment (made durable first) and opens the next. Called holding the lock. */
    private void rotate() throws IOException {
        current.channel.force(false);
        sealed.add(current);
        current = newSegment();
    }

    private Segment newSegment() throws IOException {
        Path path = dir.resolve(PREFIX + String.format("%012d", nextNumber++) + SUFFIX);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Segment(path, channel);
    }

    private void fail(Throwable t) {
        failures.incrementAndGet();
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        if (lastError == null) {
            LOG.warning("tollgate: cannot write the usage journal in " + dir + " (records go on to the database "
                    + "without it): " + message);
        }
        lastError = message;
    }

    private static List<Path> segments(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            files.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the usage journal in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparingLong(RecordJournal::number));
        return out;
    }

    private static long number(Path segment) {
        String name = segment.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Reads a segment's frames into {@code out}; returns 1 when it ended in a torn or corrupt frame. */
    private static int readSegment(Path segment, List<UsageRecord> out) {
        ByteBuffer all;
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.READ)) {
            long size = c.size();
            if (size > Integer.MAX_VALUE) {
                throw new IOException("segment larger than 2 GB");
            }
            all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining() && c.read(all) >= 0) {
                // reads the whole segment (at most a few MB)
            }
            all.flip();
        } catch (IOException e) {
            LOG.warning("tollgate: cannot read usage journal segment " + segment + ": " + e.getMessage());
            return 1;
        }
        while (all.remaining() >= 8) {
            int length = all.getInt();
            int crc = all.getInt();
            if (length <= 0 || length > MAX_FRAME || length > all.remaining()) {
                return 1;
            }
            byte[] payload = new byte[length];
            all.get(payload);
            CRC32C check = new CRC32C();
            check.update(payload);
            if ((int) check.getValue() != crc) {
                return 1;
            }
            try {
                out.add(RecordCodec.decode(payload));
            } catch (IllegalArgumentException e) {
                return 1;
            }
        }
        return all.hasRemaining() ? 1 : 0;
    }
}
