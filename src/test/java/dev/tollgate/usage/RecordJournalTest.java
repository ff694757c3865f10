package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordJournalTest {
    @TempDir
    Path dir;

    static UsageRecord record(String id) {
        return new UsageRecord(id, Instant.ofEpochMilli(1_764_000_000_123L), "/v1/chat/completions", true, "mini",
                "gpt-4o-mini", "openai", "openai#1", new Caller(KeyFingerprint.of("sk-journal-key"), "k1", "ana"), 200, 42,
                7L, new TokenUsage(10, 5, 15, 2, 1, 3, 0), UsageQuality.REPORTED, "req-1", "some error \\u2028 \"q\"", 2,
                true, new Charge(123, 1, 2, 3, 4, 5), "prompt=-1");
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aRecordReadsBackExactlyAsItWasWritten() {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        assertTrue(journal.append(record("r1")));
        // no close: as after kill -9, the bytes are in the file already
        RecordJournal.Replayed left = RecordJournal.read(dir);
        assertEquals(List.of(record("r1")), left.records());
        journal.close();
    }

    /** A journal holding records a and b, side by side (no sync between them), as a crash would leave it. */
    private RecordJournal journalOfAAndB() {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofHours(1), true);
        journal.append(record("a"));
        journal.append(record("b"));
        return journal;
    }

    /** Where the frames of a segment end (its zeros begin). */
    private static int dataEnd(byte[] segment) {
        ByteBuffer b = ByteBuffer.wrap(segment);
        int at = 0;
        while (b.getInt(at) != 0) {
            at += 8 + b.getInt(at);
        }
        return at;
    }

    private static List<String> ids(RecordJournal.Replayed replayed) {
        return replayed.records().stream().map(UsageRecord::id).toList();
    }

    @Test
    void aTornLastFrameIsIgnoredAndTheRecordsBeforeItKept() throws IOException {
        RecordJournal journal = journalOfAAndB();
        Path segment = files().get(0);
        int end = dataEnd(Files.readAllBytes(segment));
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 1, 5}), end); // a frame cut by the crash
        }
        assertEquals(List.of("a", "b"), ids(RecordJournal.read(dir)));
        journal.close();
    }

    @Test
    void aCorruptedFrameIsSkippedToTheNextPage() throws IOException {
        RecordJournal journal = journalOfAAndB();
        Path segment = files().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[dataEnd(bytes) - 3] ^= 0x55; // a flipped bit in the second record
        Files.write(segment, bytes);
        assertEquals(List.of("a"), ids(RecordJournal.read(dir)));
        journal.close();
    }

    @Test
    void committedRecordsAreTrimmedAndUncommittedOnesSurviveClose() throws IOException {
        RecordJournal journal = journalOfAAndB();
        assertEquals(2, journal.waiting());
        journal.committed(List.of(record("a")));
        assertEquals(1, journal.waiting());
        journal.close();
        assertEquals(List.of("a", "b"), ids(RecordJournal.read(dir)),
                "a segment with an uncommitted record stays whole");

        RecordJournal next = RecordJournal.open(dir, Duration.ofMillis(5), true); // the start that replayed them
        assertTrue(RecordJournal.read(dir).records().isEmpty(), "replayed segments are deleted on open");
        next.append(record("c"));
        next.committed(List.of(record("c")));
        next.close();
        assertTrue(files().isEmpty(), "a journal whose records are all committed leaves nothing behind");
    }

    @Test
    void framesOfAnEarlierLifeOfAFileAreNotReadAsThisOnes() throws IOException {
        RecordJournal journal = journalOfAAndB();
        journal.close();
        Path segment = files().get(0);
        Files.move(segment, segment.resolveSibling("journal-000000000099.log")); // as a recycled segment is
        assertTrue(RecordJournal.read(dir).records().isEmpty(), "the CRC binds a frame to its segment's number");
    }

    @Test
    void aCommittedSegmentIsRecycledAsTheSpareAndItsOldRecordsAreNotReplayed() throws Exception {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (files().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the sync thread prepares the spare
        }
        assertEquals(2, files().size(), "the active segment and a spare");
        int perMegabyte = (int) (RecordJournal.TRIM_BYTES / (RecordCodec.encode(record("x")).length + 8)) + 1;
        List<UsageRecord> first = new ArrayList<>();
        for (int i = 0; i < perMegabyte; i++) {
            first.add(record("first" + i));
            journal.append(first.get(i));
        }
        journal.committed(first); // all committed past the trim size: the spare takes over, the old one is recycled
        assertEquals(2, files().size(), "no new segment: the committed one became the spare");
        journal.append(record("after"));
        assertEquals(List.of("after"), ids(RecordJournal.read(dir)));
        journal.close();
    }

    @Test
    void fullSegmentsRotateAndGoOnceCommitted() throws IOException {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofHours(1), true); // no spare from the sync thread
        int n = RecordJournal.SEGMENT_BYTES / (RecordCodec.encode(record("x")).length + 8) + 10;
        List<UsageRecord> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UsageRecord r = record("r" + i);
            all.add(r);
            journal.append(r);
        }
        assertEquals(2, journal.segments());
        journal.committed(all.subList(0, n - 10));
        assertEquals(2, files().size(), "the sealed segment, all committed, is the spare now");
        assertFalse(ids(RecordJournal.read(dir)).contains("r0"), "and its old records are not read");
        journal.close();
        List<String> left = ids(RecordJournal.read(dir));
        assertTrue(left.containsAll(all.subList(n - 10, n).stream().map(UsageRecord::id).toList()));
        assertFalse(left.contains("r0"));
    }

    @Test
    void aSegmentThatCouldNotBeReplayedIsKeptForTheNextStart() throws IOException {
        RecordJournal first = RecordJournal.open(dir, Duration.ofMillis(5), true);
        first.append(record("old"));
        first.close();
        RecordJournal second = RecordJournal.open(dir, Duration.ofMillis(5), false); // replay failed
        second.append(record("new"));
        second.committed(List.of(record("new")));
        second.close();
        assertEquals(List.of("old"), ids(RecordJournal.read(dir)));
    }

    @Test
    void aRetainedRecordPinsItsSegmentUntilTheNextStart() {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("kept"));
        assertTrue(journal.retain(record("kept")));
        assertEquals(0, journal.waiting(), "no longer held in memory");
        assertFalse(journal.retain(record("unknown")));
        journal.close();
        assertEquals(List.of("kept"), ids(RecordJournal.read(dir)));
    }

    @Test
    void theSyncThreadMakesTheJournalDurableAndRecordsAfterASyncStartOnAFreshPage() throws Exception {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("a"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (journal.lastSync() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(journal.lastSync() != null);
        journal.append(record("b"));
        byte[] segment = Files.readAllBytes(files().get(0));
        assertEquals(0, ByteBuffer.wrap(segment).getInt(RecordCodec.encode(record("a")).length + 8), "a gap after a");
        assertTrue(ByteBuffer.wrap(segment).getInt(RecordJournal.PAGE) > 0, "b on the next page");
        assertEquals(List.of("a", "b"), ids(RecordJournal.read(dir)));
        journal.close();
    }
}
