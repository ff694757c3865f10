package dev.tollgate.upstream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a byte stream into server-sent events, whatever the chunk boundaries (mid-line, mid-UTF-8
 * character, between CR and LF). Works on bytes and decodes only whole lines.
 */
public final class SseSplitter {
    /**
     * An event is a few hundred bytes: a stream starts with room for one and grows for a delivery
     * that brings more, then gives the room back once its events are out, so each of ten thousand
     * open streams holds half a kilobyte between deliveries and not the largest one it ever saw.
     */
    private static final int INITIAL = 512;
    private static final int KEPT = 4 * INITIAL;

    private final int maxEventBytes;
    /** Whether events keep their bytes (a relay passes them on; a stream read back wants only its data). */
    private final boolean keepRaw;
    private byte[] buf = new byte[INITIAL];
    /**
     * A stream held whole, as Latin-1 text of its bytes: the line breaks are found with
     * {@link String#indexOf(int, int)}, which the JIT compiles to a vector search, where the byte loop
     * was a tenth of reading a stream back; null while feeding.
     */
    private final String wholeText;
    /** The next CR at or after the scan in {@link #wholeText} (its length when none is left). */
    private int nextCr = -1;
    private int len;
    private int scan;
    private int lineStart;
    private int eventStart;
    /** An event's data: its one line, as nearly every event has; a builder only once a second line comes. */
    private String data;
    private StringBuilder lines;

    public SseSplitter(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
        this.keepRaw = true;
        this.wholeText = null;
    }

    private SseSplitter(byte[] whole) {
        this.maxEventBytes = Integer.MAX_VALUE;
        this.keepRaw = false;
        this.buf = whole;
        this.len = whole.length;
        this.wholeText = new String(whole, StandardCharsets.ISO_8859_1);
    }

    /**
     * The data of each whole event of a stream held whole (what a client was sent, read back for the
     * request log), null for an event without data; its bytes are read in place, not copied. An
     * event cut before its blank line is not one.
     */
    public static List<String> data(byte[] whole) {
        List<SseEvent> events = new ArrayList<>();
        new SseSplitter(whole).cut(events);
        List<String> data = new ArrayList<>(events.size());
        events.forEach(e -> data.add(e.data()));
        return data;
    }

    /** Adds bytes and returns the events they complete. */
    public List<SseEvent> feed(ByteBuffer chunk) {
        append(chunk);
        List<SseEvent> events = new ArrayList<>(2);
        cut(events);
        compact();
        if (len - eventStart > maxEventBytes) {
            throw new IllegalStateException("an upstream event is larger than " + maxEventBytes + " bytes");
        }
        return events;
    }

    /** Reads the lines held, adding each event they complete. */
    private void cut(List<SseEvent> events) {
        while (scan < len) {
            scan = lineBreak(scan);
            if (scan == len) {
                break;
            }
            byte c = buf[scan];
            int next = scan + 1;
            if (c == '\r') {
                if (next == len) {
                    break; // CR at the end: wait to see whether LF follows
                }
                if (buf[next] == '\n') {
                    next++;
                }
            }
            if (scan == lineStart) {
                events.add(event(next));
            } else {
                line(lineStart, scan);
            }
            lineStart = next;
            scan = next;
        }
    }

    /** The index of the first CR or LF at or after {@code from}, else {@link #len}. */
    private int lineBreak(int from) {
        if (wholeText == null) {
            int i = from;
            while (i < len && buf[i] != '\n' && buf[i] != '\r') {
                i++;
            }
            return i;
        }
        if (nextCr < from) {
            int cr = wholeText.indexOf('\r', from);
            nextCr = cr < 0 ? len : cr;
        }
        int lf = wholeText.indexOf('\n', from);
        return Math.min(lf < 0 ? len : lf, nextCr);
    }

    /**
     * At end of stream: the last event when it lacked only its blank line (all its lines whole).
     * A cut mid-line is an incomplete event and is discarded, as the SSE spec says.
     */
    public List<SseEvent> finish() {
        if (scan == len - 1 && buf[scan] == '\r') {
            line(lineStart, scan); // a final CR that never met its LF still ends the line
            lineStart = len;
        }
        if (lineStart < len || len == eventStart) {
            return List.of();
        }
        return List.of(event(len));
    }

    private SseEvent event(int end) {
        SseEvent event = new SseEvent(keepRaw ? Arrays.copyOfRange(buf, eventStart, end) : null,
                lines != null ? lines.toString() : data);
        data = null;
        lines = null;
        eventStart = end;
        return event;
    }

    private void line(int from, int to) {
        int colon = -1;
        for (int i = from; i < to; i++) {
            if (buf[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon != from + 4 || buf[from] != 'd' || buf[from + 1] != 'a' || buf[from + 2] != 't' || buf[from + 3] != 'a') {
            return; // comments, event:, id:, retry: pass through untouched
        }
        int valueStart = colon + 1;
        if (valueStart < to && buf[valueStart] == ' ') {
            valueStart++;
        }
        String value = new String(buf, valueStart, to - valueStart, StandardCharsets.UTF_8);
        if (data == null) {
            data = value;
        } else {
            if (lines == null) {
                lines = new StringBuilder(data);
            }
            lines.append('\n').append(value);
        }
    }

    private void append(ByteBuffer chunk) {
        int n = chunk.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        chunk.get(buf, len, n);
        len += n;
    }

    private void compact() {
        if (eventStart == 0) {
            return;
        }
        System.arraycopy(buf, eventStart, buf, 0, len - eventStart);
        len -= eventStart;
        scan -= eventStart;
        lineStart -= eventStart;
        eventStart = 0;
        if (buf.length > KEPT && len <= INITIAL) {
            buf = Arrays.copyOf(buf, INITIAL);
        }
    }

    /** Room held between deliveries, for the memory-per-stream tests. */
    int capacity() {
        return buf.length;
    }
}
