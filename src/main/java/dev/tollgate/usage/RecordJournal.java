package dev.tollgate.usage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * An append-only file of finished usage records, written before the answer of a call ends and
 * trimmed once the database has committed them, so that a {@code kill -9} loses no record of a call
 * that was answered. The thread that ends a call writes its record into the journal (one positional
 * write system call: the bytes are in the kernel's page cache when it returns, so they survive the
 * death of the process). A sync thread makes the journal durable ({@code fdatasync}) every
 * {@code sync-interval}, for the records of many calls at once (group commit), which covers a crash of
 * the machine too, up to that interval.
 *
 * <p>The journal is a series of segments {@code journal-<n>.log} of {@value #SEGMENT_BYTES} bytes
 * whose blocks are allocated before use, so that records overwrite blocks the file already has: a
 * sync then flushes data only, never a change of the file's size, which on ext4 would be a metadata
 * commit every few milliseconds that writers queue behind. A segment whose records are all committed
 * is recycled: renamed to the next number, it becomes the spare that the next rotation switches to,
 * so in steady state no block is allocated or zeroed at all (only a new journal, or one that grows
 * while the database is away, writes a fresh segment full of zeros, on the sync thread).
 *
 * <p>Each frame is its length, a CRC-32C of the segment's number and the record (binary, {@link
 * RecordCodec}), and the record. Binding the CRC to the number makes what an earlier life of a
 * recycled file left in it unreadable as this life's frames. After each sync the next frame starts
 * on a fresh {@value #PAGE}-byte page (a write to a page the sync is writing out would wait for it),
 * so a reader that meets a frame it cannot read (zeros, a frame torn by a crash, an earlier life's
 * bytes) goes on at the next page. At start-up the records in the segments are written to the
 * database (inserts that are ignored where the id is there already, so a replay is harmless) before
 * the segments are deleted.
 */
public final class RecordJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RecordJournal.class.getName());
    static final int SEGMENT_BYTES = 8 * 1024 * 1024;
    /** An active segment whose records are all committed is replaced (by the spare) once this much of it is used. */
    static final long TRIM_BYTES = 1024 * 1024;
    private static final int MAX_FRAME = 1 << 20;
    /** Records after a sync start on the next page of this size; the gap stays zeros. */
    static final int PAGE = 4096;
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final Duration syncInterval;
    private final Map<String, Segment> outstanding = new HashMap<>();
    private final List<Segment> sealed = new ArrayList<>();
    /** Sealed segments the sync thread has not made durable yet. */
    private final List<Segment> unsynced = new ArrayList<>();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong nextNumber;
    private final Thread syncer;
    private final Object wakeUp = new Object();
    private Segment current;
    /** The next segment, prepared by the sync thread so that a rotation need not write 8 MB of zeros. */
    private Segment spare;
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
        /** Its number, part of every frame's CRC. */
        final long number;
        /** Written through the file: a FileChannel would be closed for good by an interrupted request thread. */
        final RandomAccessFile file;
        /** Synced through the channel: fdatasync, which skips the file's times (fsync would commit them). */
        final FileChannel channel;
        int size;
        int pending;

        Segment(Path path, RandomAccessFile file) {
            this.path = path;
            this.number = number(path);
            this.file = file;
            this.channel = file == null ? null : file.getChannel();
        }

        static Segment pinned(Path path) {
            Segment s = new Segment(path, null);
            s.pending = Integer.MAX_VALUE;
            return s;
        }

        /**
         * Where the file's pointer is (-1: not known, as in a file just zeroed or recycled, or after
         * a failed write): a seek, a system call of its own, is needed only after a sync's page gap.
         */
        private long pointer = -1;

        void write(byte[] frame) throws IOException {
            if (pointer != size) {
                file.seek(size);
            }
            pointer = -1;
            file.write(frame);
            pointer = size + frame.length;
        }

        void close() throws IOException {
            if (file != null) {
                channel.force(false);
                file.close();
            }
        }
    }

    private RecordJournal(Path dir, Duration syncInterval, long nextNumber) {
        this.dir = dir;
        this.syncInterval = syncInterval;
        this.nextNumber = new AtomicLong(nextNumber);
        this.syncer = new Thread(this::syncLoop, "tollgate-journal-sync");
        this.syncer.setDaemon(true);
    }

    /** What replay found in the segments a previous run left. */
    public record Replayed(List<UsageRecord> records, int segments) {
    }

    /** The records a previous run left, in order; the segments stay until {@link #open} is given them. */
    public static Replayed read(Path dir) {
        List<UsageRecord> records = new ArrayList<>();
        List<Path> segments = segments(dir);
        for (Path segment : segments) {
            readSegment(segment, records);
        }
        return new Replayed(records, segments.size());
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
        byte[] payload;
        try {
            payload = RecordCodec.encode(record);
        } catch (RuntimeException e) {
            fail(e);
            return false;
        }
        int frame = 8 + payload.length;
        synchronized (this) {
            if (closing || current == null) {
                return false;
            }
            try {
                if (current.size + frame > SEGMENT_BYTES) {
                    rotate();
                }
                current.write(ByteBuffer.allocate(frame).putInt(payload.length)
                        .putInt(crc(current.number, payload, 0, payload.length)).put(payload).array());
                current.size += frame;
                current.pending++;
                Segment previous = outstanding.put(record.id(), current);
                if (previous != null) {
                    previous.pending--; // the same record again: one copy counts
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
                if (current != null && current.pending == 0 && current.size >= TRIM_BYTES && spare != null) {
                    rotate(); // the active file is all committed: the spare takes over, so a replay reads little
                }
                for (var it = sealed.iterator(); it.hasNext(); ) {
                    Segment s = it.next();
                    if (s.pending <= 0) {
                        it.remove();
                        recycleOrDelete(s);
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
        synchronized (wakeUp) { // not an interrupt: that would close the channel under a sync in progress
            wakeUp.notifyAll();
        }
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
                    s.close();
                    if (s.pending <= 0) {
                        Files.deleteIfExists(s.path);
                    }
                } catch (IOException e) {
                    LOG.warning("tollgate: cannot close usage journal segment " + s.path + ": " + e.getMessage());
                }
            }
            discardSpare();
            sealed.clear();
            current = null;
        }
    }

    private void syncLoop() {
        while (!closing) {
            try {
                synchronized (wakeUp) {
                    if (!closing) {
                        wakeUp.wait(Math.max(1, syncInterval.toMillis()));
                    }
                }
            } catch (InterruptedException e) {
                return; // close() syncs the rest
            }
            try {
                sync();
                if (lastError != null) {
                    probe();
                }
                prepareSpare();
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
        List<FileChannel> channels = new ArrayList<>();
        synchronized (this) {
            unsynced.forEach(s -> channels.add(s.channel));
            unsynced.clear();
            if (current != null) {
                channels.add(current.channel);
                // the next record starts on a fresh page: a write never waits for a page the sync is writing out
                current.size = Math.min(SEGMENT_BYTES, (current.size + PAGE - 1) / PAGE * PAGE);
            }
        }
        boolean synced = false;
        for (FileChannel channel : channels) {
            try {
                channel.force(false); // fdatasync: every record appended since the last sync, at once
                synced = true;
            } catch (ClosedChannelException e) {
                // a sealed segment committed and recycled or deleted meanwhile: nothing of it is needed
            }
        }
        if (synced) {
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

    /**
     * Seals the active segment (the sync thread makes it durable) and switches to the spare; only
     * when there is none (the database has been away long enough to fill both) is a new segment
     * written here. Called holding the lock.
     */
    private void rotate() throws IOException {
        Segment next = spare != null ? spare : newSegment();
        spare = null;
        sealed.add(current);
        unsynced.add(current);
        dirty = true;
        current = next;
    }

    /**
     * A segment whose records are all committed becomes the spare under the next number (its blocks
     * stay allocated, its old frames unreadable under the new number), or goes when there is a spare
     * already. Called holding the lock.
     */
    private void recycleOrDelete(Segment s) throws IOException {
        unsynced.remove(s);
        if (s.channel == null || spare != null || closing) {
            if (s.channel != null) {
                s.file.close();
            }
            Files.deleteIfExists(s.path);
            return;
        }
        Path next = dir.resolve(name(nextNumber.getAndIncrement()));
        Files.move(s.path, next);
        spare = new Segment(next, s.file);
    }

    /** The sync thread keeps a spare ready, so that a rotation never waits for a segment to be written. */
    private void prepareSpare() throws IOException {
        synchronized (this) {
            if (spare != null || current == null) {
                return;
            }
        }
        Segment next = newSegment();
        synchronized (this) {
            if (spare == null && !closing) {
                spare = next;
                return;
            }
        }
        next.close();
        Files.deleteIfExists(next.path);
    }

    private void discardSpare() {
        if (spare != null) {
            try {
                spare.close();
                Files.deleteIfExists(spare.path);
            } catch (IOException e) {
                LOG.warning("tollgate: cannot remove the spare usage journal segment " + spare.path + ": " + e.getMessage());
            }
            spare = null;
        }
    }

    /** A segment written full of zeros, so every block it will use is allocated (and synced) now. */
    private Segment newSegment() throws IOException {
        Path path = dir.resolve(name(nextNumber.getAndIncrement()));
        Files.createFile(path);
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
        try {
            byte[] zeros = new byte[1024 * 1024];
            for (int at = 0; at < SEGMENT_BYTES; at += zeros.length) {
                file.write(zeros);
            }
            file.getChannel().force(true);
            return new Segment(path, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            Files.deleteIfExists(path);
            throw e;
        }
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
        out.sort(Comparator.comparingLong(RecordJournal::number));
        return out;
    }

    private static String name(long number) {
        return PREFIX + String.format("%012d", number) + SUFFIX;
    }

    private static int crc(long segment, byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(segment).array());
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static long number(Path segment) {
        String name = segment.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Reads a segment's frames into {@code out}. A frame that does not check (zeros where nothing was
     * written yet, a frame torn by a crash, an earlier life's bytes in a recycled file) sends the
     * reader to the next page, where frames written after the next sync begin.
     */
    private static void readSegment(Path segment, List<UsageRecord> out) {
        byte[] all;
        try {
            if (Files.size(segment) > 64L * SEGMENT_BYTES) {
                throw new IOException("segment larger than " + 64 * SEGMENT_BYTES + " bytes");
            }
            all = Files.readAllBytes(segment);
        } catch (IOException e) {
            LOG.warning("tollgate: cannot read usage journal segment " + segment + ": " + e.getMessage());
            return;
        }
        long number = number(segment);
        ByteBuffer b = ByteBuffer.wrap(all);
        int at = 0;
        while (at + 8 <= all.length) {
            int length = b.getInt(at);
            int crc = b.getInt(at + 4);
            UsageRecord record = null;
            if (length > 0 && length <= MAX_FRAME && length <= all.length - at - 8
                    && crc(number, all, at + 8, length) == crc) {
                try {
                    record = RecordCodec.decode(Arrays.copyOfRange(all, at + 8, at + 8 + length));
                } catch (IllegalArgumentException e) {
                    record = null; // checks but does not decode: treated like any unreadable frame
                }
            }
            if (record != null) {
                out.add(record);
                at += 8 + length;
            } else {
                at = (at / PAGE + 1) * PAGE;
            }
        }
    }
}
