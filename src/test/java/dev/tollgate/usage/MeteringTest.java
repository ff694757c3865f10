package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeteringTest {
    @Test
    void oneRecordEvenWhenCompletedTwice() {
        List<UsageRecord> out = new ArrayList<>();
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 0);
        m.modelCall();
        m.request("demo", false);
        m.caller(Caller.of(KeyFingerprint.of("sk-abcdefgh")));
        m.usage(TokenUsage.of(3, 4), UsageQuality.REPORTED);
        m.complete(200, 5_000_000, out::add);
        m.complete(500, 9_000_000, out::add);
        assertEquals(1, out.size());
        UsageRecord r = out.get(0);
        assertEquals(200, r.status());
        assertEquals(5, r.latencyMs());
        assertEquals("***fgh", r.apiKey().masked());
        assertEquals("demo", r.model(), "unrouted calls are recorded under the requested name");
        assertNull(r.ttfbMs(), "no time to first byte for a non-stream call");
    }

    @Test
    void aHeldStreamIsRecordedWhenReleasedWithItsOwnStatus() {
        List<UsageRecord> out = new ArrayList<>();
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 0);
        m.modelCall();
        m.request("demo", true);
        m.hold(() -> { });
        m.firstByte(2_000_000);
        m.complete(200, 3_000_000, out::add);
        assertTrue(out.isEmpty(), "the stream is still held");
        m.fail(502, "upstream broke");
        m.usage(TokenUsage.of(3, 1), UsageQuality.PARTIAL);
        m.release(8_000_000);
        assertEquals(1, out.size());
        assertEquals(502, out.get(0).status());
        assertEquals(2L, out.get(0).ttfbMs());
        assertEquals(8, out.get(0).latencyMs());
        assertEquals(UsageQuality.PARTIAL, out.get(0).quality());
    }

    @Test
    void responseEndingFirstAbandonsTheHeldStream() {
        List<UsageRecord> out = new ArrayList<>();
        AtomicInteger abandoned = new AtomicInteger();
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 0);
        m.modelCall();
        m.request("demo", true);
        m.hold(() -> {
            abandoned.incrementAndGet();
            m.fail(Metering.CLIENT_CLOSED_REQUEST, "client left");
            m.release(4_000_000);
        });
        m.complete(200, 3_000_000, out::add);
        assertEquals(1, abandoned.get());
        assertEquals(1, out.size());
        assertEquals(499, out.get(0).status());
    }

    @Test
    void overheadIsTheTimeOutsideTheUpstream() {
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 1_000_000);
        m.upstreamTime(7_000_000);
        m.upstreamTime(1_000_000);
        assertEquals(2_000_000, m.answerLeaves(11_000_000), "10 ms in all, 8 ms of it upstream");
        assertEquals(0, new Metering("/x", Instant.EPOCH, 5).answerLeaves(5));
        List<UsageRecord> out = new ArrayList<>();
        m.modelCall();
        m.complete(200, 30_000_000, out::add);
        assertEquals(2_000, out.get(0).overheadMicros(), "the record keeps the overhead as the answer left, not the end");
        Metering unanswered = new Metering("/x", Instant.EPOCH, 5);
        unanswered.modelCall();
        unanswered.complete(404, 10, out::add);
        assertEquals(-1, out.get(1).overheadMicros(), "no upstream answer, no overhead");
    }

    @Test
    void requestsThatAreNotModelCallsLeaveNoRecord() {
        List<UsageRecord> out = new ArrayList<>();
        new Metering("/v1/unknown", Instant.EPOCH, 0).complete(404, 1, out::add);
        assertTrue(out.isEmpty());
    }

    @Test
    void keysAreNeverKeptInClear() {
        KeyFingerprint f = KeyFingerprint.of("sk-live-supersecret");
        assertEquals("***ret", f.masked());
        assertEquals(64, f.hash().length());
        assertTrue(!f.hash().contains("supersecret"));
        assertEquals("***", KeyFingerprint.of("short").masked(), "short keys show nothing of themselves");
    }

    @Test
    void aRecordIsJournaledOnceBeforeItsAnswerEnds() {
        List<UsageRecord> journaled = new ArrayList<>();
        List<UsageRecord> recorded = new ArrayList<>();
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, System.nanoTime());
        m.journalTo(journaled::add);
        m.modelCall();
        m.request("demo", false);
        m.usage(TokenUsage.of(3, 4), UsageQuality.REPORTED);
        m.answering(200);
        assertEquals(1, journaled.size(), "journaled before the last bytes leave");
        assertEquals(200, journaled.get(0).status());
        assertEquals(7, journaled.get(0).tokens().total());
        m.answering(200);
        m.complete(200, System.nanoTime(), recorded::add);
        assertEquals(1, journaled.size(), "and only once");
        assertEquals(1, recorded.size());
        assertEquals(journaled.get(0).id(), recorded.get(0).id(), "the recorded record replaces the journaled one");
    }

    @Test
    void aCallWhoseAnswerNeverEndedIsJournaledWhenItsRecordIsMade() {
        List<UsageRecord> journaled = new ArrayList<>();
        Metering m = new Metering("/v1/chat/completions", Instant.EPOCH, 0);
        m.journalTo(journaled::add);
        m.modelCall();
        m.fail(Metering.CLIENT_CLOSED_REQUEST, "client left");
        m.complete(200, 1_000_000, r -> { });
        assertEquals(1, journaled.size());
        assertEquals(499, journaled.get(0).status());
    }

    @Test
    void textTheCallerOrUpstreamChoseIsBoundedInTheRecord() {
        List<UsageRecord> out = new ArrayList<>();
        Metering m = new Metering("/v1beta/models/" + "x".repeat(5000) + ":generateContent", Instant.EPOCH, 0);
        m.modelCall();
        m.error("e".repeat(100_000));
        m.upstreamRequestId("i".repeat(10_000));
        m.complete(400, 1, out::add);
        assertEquals(Metering.MAX_ENDPOINT, out.get(0).endpoint().length());
        assertEquals(Metering.MAX_ERROR, out.get(0).error().length());
        assertEquals(Metering.MAX_UPSTREAM_ID, out.get(0).upstreamRequestId().length());
    }
}
