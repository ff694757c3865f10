package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class UsageRecorderTest {
    static UsageRecord record(int i) {
        return new UsageRecord("r" + i, Instant.EPOCH, "/v1/chat/completions", false, "m", "m", "p", "p#1",
                Caller.of(KeyFingerprint.of("sk-test-key")), 200, 1, null, TokenUsage.of(1, 1), UsageQuality.REPORTED, null, null, 1,
                true, null);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void recordsWaitWhileTheDatabaseIsDownAndLandOnceWhenItReturns() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        Set<String> stored = ConcurrentHashMap.newKeySet();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        UsageRecorder recorder = new UsageRecorder(batch -> {
            if (down.get()) {
                throw new SQLException("database is locked");
            }
            batch.forEach(r -> {
                if (!stored.add(r.id())) {
                    duplicates.add(r.id());
                }
            });
        }, 7, Duration.ofMillis(20), 1000);
        for (int i = 0; i < 50; i++) {
            recorder.submit(record(i));
        }
        await(() -> recorder.lastError() != null);
        assertEquals(50, recorder.backlog());
        assertTrue(stored.isEmpty());
        down.set(false);
        await(() -> stored.size() == 50);
        assertTrue(duplicates.isEmpty());
        assertNull(recorder.lastError());
        assertEquals(50, recorder.written());
        recorder.close();
        assertEquals(0, recorder.dropped());
    }

    @Test
    void aFullQueueCountsWhatItDrops() throws Exception {
        UsageRecorder recorder = new UsageRecorder(batch -> {
            throw new SQLException("down");
        }, 5, Duration.ofSeconds(60), 10);
        for (int i = 0; i < 40; i++) {
            recorder.submit(record(i));
        }
        assertTrue(recorder.dropped() >= 25, "dropped " + recorder.dropped());
        assertEquals(40, recorder.dropped() + recorder.backlog());
        recorder.close();
        assertEquals(40, recorder.dropped(), "what could not be written at shutdown is counted too");
    }

    @Test
    void closeWritesEverythingQueuedFirst() {
        Set<String> stored = ConcurrentHashMap.newKeySet();
        UsageRecorder recorder = new UsageRecorder(batch -> batch.forEach(r -> stored.add(r.id())), 100,
                Duration.ofHours(1), 10_000);
        for (int i = 0; i < 1234; i++) {
            recorder.submit(record(i));
        }
        recorder.close();
        assertEquals(1234, stored.size());
        recorder.submit(record(99_999));
        assertEquals(1, recorder.dropped(), "a record after close is counted, not silently lost");
    }

    @Test
    void theWriterSurvivesAnErrorReportsItAndRecovers() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        Set<String> stored = ConcurrentHashMap.newKeySet();
        UsageRecorder recorder = new UsageRecorder(batch -> {
            if (broken.get()) {
                throw new OutOfMemoryError("simulated");
            }
            batch.forEach(r -> stored.add(r.id()));
        }, 10, Duration.ofMillis(20), 1000);
        recorder.submit(record(1));
        await(() -> recorder.lastError() != null);
        assertTrue(recorder.running(), "an Error does not end the writer");
        assertEquals("simulated", recorder.lastError());
        assertTrue(recorder.writeFailures() >= 1);
        assertNull(recorder.lastCommit());
        broken.set(false);
        await(() -> stored.contains("r1"));
        assertNull(recorder.lastError());
        assertTrue(recorder.lastCommit() != null);
        recorder.close();
        assertEquals(0, recorder.dropped());
    }

    @Test
    void aFullQueueLeavesRecordsToTheJournalInsteadOfDroppingThem(@org.junit.jupiter.api.io.TempDir Path dir) {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        UsageRecorder recorder = new UsageRecorder(batch -> {
            throw new SQLException("down");
        }, 5, Duration.ofSeconds(60), 10, journal);
        for (int i = 0; i < 40; i++) {
            journal.append(record(i));
            recorder.submit(record(i));
        }
        assertEquals(0, recorder.dropped());
        assertTrue(recorder.deferred() >= 25, "deferred " + recorder.deferred());
        recorder.close();
        journal.close();
        assertEquals(0, recorder.dropped(), "what waits in the journal is not lost");
        assertEquals(40, RecordJournal.read(dir).records().size());
    }

    @Test
    void committedBatchesTrimTheJournal(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        RecordJournal journal = RecordJournal.open(dir, Duration.ofMillis(5), true);
        UsageRecorder recorder = new UsageRecorder(batch -> { }, 5, Duration.ofMillis(10), 100, journal);
        for (int i = 0; i < 12; i++) {
            journal.append(record(i));
            recorder.submit(record(i));
        }
        await(() -> journal.waiting() == 0);
        recorder.close();
        journal.close();
        assertTrue(RecordJournal.read(dir).records().isEmpty());
    }
}
