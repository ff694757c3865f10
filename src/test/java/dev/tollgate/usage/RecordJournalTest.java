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
        assertEquals(0, left.tornFrames());
        journal.close();
    }

    @Test
    void aTornLastFrameIsIgnoredAndTheRecordsBeforeItKept() throws IOException {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("a"));
        journal.append(record("b"));
        Path segment = files().get(0);
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 1, 2, 3, 4, '{', '"'})); // a frame cut by the crash
        }
        RecordJournal.Replayed left = RecordJournal.read(dir);
        assertEquals(List.of("a", "b"), left.records().stream().map(UsageRecord::id).toList());
        assertEquals(1, left.tornFrames());
        journal.close();
    }

    @Test
    void aCorruptedFrameStopsTheSegmentThere() throws IOException {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("a"));
        journal.append(record("b"));
        Path segment = files().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 3] ^= 0x55; // a flipped bit in the second record
        Files.write(segment, bytes);
        assertEquals(List.of("a"), RecordJournal.read(dir).records().stream().map(UsageRecord::id).toList());
        journal.close();
    }

    @Test
    void committedRecordsAreTrimmedAndUncommittedOnesSurviveClose() throws IOException {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("a"));
        journal.append(record("b"));
        assertEquals(2, journal.waiting());
        journal.committed(List.of(record("a")));
        assertEquals(1, journal.waiting());
        journal.close();
        assertEquals(List.of("a", "b"), RecordJournal.read(dir).records().stream().map(UsageRecord::id).toList(),
                "a segment with an uncommitted record stays whole");

        RecordJournal next = RecordJournal.open(dir, Duration.ofMillis(5), true); // the start that replayed them
        assertTrue(RecordJournal.read(dir).records().isEmpty(), "replayed segments are deleted on open");
        next.append(record("c"));
        next.committed(List.of(record("c")));
        next.close();
        assertTrue(files().isEmpty(), "a journal whose records are all committed leaves nothing behind");
    }

    @Test
    void fullSegmentsRotateAndGoOnceCommitted() throws IOException {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        int n = (int) (RecordJournal.SEGMENT_BYTES / RecordCodec.encode(record("x")).length) + 10;
        List<UsageRecord> all = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            UsageRecord r = record("r" + i);
            all.add(r);
            journal.append(r);
        }
        assertEquals(2, journal.segments());
        journal.committed(all.subList(0, n - 10));
        assertEquals(1, files().size(), "the sealed segment, all committed, is deleted");
        journal.close();
        List<String> left = RecordJournal.read(dir).records().stream().map(UsageRecord::id).toList();
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
        assertEquals(List.of("old"), RecordJournal.read(dir).records().stream().map(UsageRecord::id).toList());
    }

    @Test
    void aRetainedRecordPinsItsSegmentUntilTheNextStart() {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("kept"));
        assertTrue(journal.retain(record("kept")));
        assertEquals(0, journal.waiting(), "no longer held in memory");
        assertFalse(journal.retain(record("unknown")));
        journal.close();
        assertEquals(List.of("kept"), RecordJournal.read(dir).records().stream().map(UsageRecord::id).toList());
    }

    @Test
    void theSyncThreadMakesTheJournalDurable() throws Exception {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        journal.append(record("a"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (journal.lastSync() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(journal.lastSync() != null);
        journal.close();
    }
}
