package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseSplitterTest {
    private static final String STREAM = "data: {\"a\":\"héllo 🌍\"}\n\n"
            + ": keep-alive\n\n"
            + "event: message\r\ndata: line1\r\ndata: line2\r\ndata: line3\r\n\r\n"
            + "data:[DONE]\n\n";

    private static List<SseEvent> splitAt(byte[] bytes, int... cuts) {
        SseSplitter s = new SseSplitter(1 << 20);
        List<SseEvent> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            out.addAll(s.feed(ByteBuffer.wrap(bytes, from, cut - from)));
            from = cut;
        }
        out.addAll(s.feed(ByteBuffer.wrap(bytes, from, bytes.length - from)));
        out.addAll(s.finish());
        return out;
    }

    @Test
    void sameEventsWhereverTheChunksAreCut() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<SseEvent> whole = splitAt(bytes);
        assertEquals(4, whole.size());
        assertEquals("{\"a\":\"héllo 🌍\"}", whole.get(0).data());
        assertNull(whole.get(1).data());
        assertEquals("line1\nline2\nline3", whole.get(2).data());
        assertEquals("[DONE]", whole.get(3).data());
        // every single cut point, and every pair of cut points, including mid-UTF-8 and between CR and LF
        for (int i = 1; i < bytes.length; i++) {
            assertSame(whole, splitAt(bytes, i), "cut at " + i);
            for (int j = i + 1; j < bytes.length; j += 3) {
                assertSame(whole, splitAt(bytes, i, j), "cuts at " + i + "," + j);
            }
        }
    }

    @Test
    void aStreamHeldWholeGivesTheDataOfTheEventsItCompletes() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        splitAt(bytes).forEach(e -> expected.add(e.data()));
        assertEquals(expected, SseSplitter.data(bytes));
        assertEquals(3, SseSplitter.data(STREAM.substring(0, STREAM.length() - 1).getBytes(StandardCharsets.UTF_8)).size(),
                "an event without its blank line is not complete");
        assertEquals(List.of("x"), SseSplitter.data("data: x\r\n\r\ndata: y\r".getBytes(StandardCharsets.UTF_8)));
    }

    /** The whole-stream reading finds its line breaks another way than feeding does: both must agree. */
    @Test
    void aStreamHeldWholeIsCutAsFeedingCutsIt() {
        Random random = new Random(11);
        String[] breaks = {"\n", "\r", "\r\n"};
        String[] lines = {"data: {\"a\":1}", "data:x", "data: héllo 🌍", ": comment", "event: delta", "id: 7", "data:",
            "data: a:b", "retry: 10"};
        for (int n = 0; n < 2_000; n++) {
            StringBuilder stream = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                String br = breaks[random.nextInt(breaks.length)];
                for (int l = random.nextInt(4); l > 0; l--) {
                    stream.append(lines[random.nextInt(lines.length)]).append(br);
                }
                stream.append(random.nextInt(10) == 0 ? "" : br);
            }
            byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
            List<String> fed = new ArrayList<>();
            SseSplitter s = new SseSplitter(1 << 20);
            s.feed(ByteBuffer.wrap(bytes)).forEach(e -> fed.add(e.data()));
            assertEquals(fed, SseSplitter.data(bytes), stream.toString());
        }
    }

    @Test
    void aLargeDeliveryIsSplitAndItsRoomGivenBack() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            many.append("data: {\"i\":").append(i).append(",\"pad\":\"").append("x".repeat(100)).append("\"}\n\n");
        }
        byte[] bytes = (many + "data: {\"partial\"").getBytes(StandardCharsets.UTF_8);
        SseSplitter s = new SseSplitter(1 << 20);
        List<SseEvent> events = s.feed(ByteBuffer.wrap(bytes));
        assertEquals(300, events.size());
        assertEquals("{\"i\":299,\"pad\":\"" + "x".repeat(100) + "\"}", events.get(299).data());
        assertTrue(s.capacity() <= 512, "a stream between deliveries holds " + s.capacity() + " bytes");
        List<SseEvent> rest = s.feed(ByteBuffer.wrap(":1}\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("{\"partial\":1}"), rest.stream().map(SseEvent::data).toList());
    }

    @Test
    void rawBytesRebuildTheStreamExactly() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        splitAt(bytes, 7, 30, 31).forEach(e -> rebuilt.writeBytes(e.raw()));
        assertArrayEquals(bytes, rebuilt.toByteArray());
    }

    @Test
    void byteByByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        SseSplitter s = new SseSplitter(1 << 20);
        List<SseEvent> out = new ArrayList<>();
        for (byte b : bytes) {
            out.addAll(s.feed(ByteBuffer.wrap(new byte[] {b})));
        }
        assertSame(splitAt(bytes), out, "byte by byte");
    }

    @Test
    void lastEventWithoutBlankLineStillCounts() {
        SseSplitter s = new SseSplitter(1024);
        assertEquals(0, s.feed(ByteBuffer.wrap("data: [DONE]\n".getBytes(StandardCharsets.US_ASCII))).size());
        List<SseEvent> tail = s.finish();
        assertEquals(1, tail.size());
        assertEquals("[DONE]", tail.get(0).data());
    }

    @Test
    void streamCutMidLineDropsTheHalfEvent() {
        SseSplitter s = new SseSplitter(1024);
        List<SseEvent> events = s.feed(ByteBuffer.wrap("data: {\"x\":1}\n\ndata: {\"trunc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, events.size());
        assertEquals(0, s.finish().size());
    }

    @Test
    void oversizedEventIsRefused() {
        SseSplitter s = new SseSplitter(16);
        assertThrows(IllegalStateException.class,
                () -> s.feed(ByteBuffer.wrap("data: 0123456789012345678901234567890".getBytes(StandardCharsets.US_ASCII))));
    }

    private static void assertSame(List<SseEvent> expected, List<SseEvent> actual, String message) {
        assertEquals(expected.size(), actual.size(), message);
        for (int k = 0; k < expected.size(); k++) {
            assertEquals(expected.get(k).data(), actual.get(k).data(), message);
            assertArrayEquals(expected.get(k).raw(), actual.get(k).raw(), message);
        }
    }
}
