package dev.tollgate.json;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event carrying a JSON text, as every stream the gateway writes frames it
 * (client streams in each dialect, in-stream errors, the mock upstream, the dashboard's live feed).
 * JSON-P writes a value on one line, so a {@code data:} line never needs splitting.
 */
public final class SseFrame {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrame() {
    }

    /** OpenAI's end of a stream, {@code data: [DONE]} (a copy: arrays are not read-only). */
    public static byte[] done() {
        return DONE.clone();
    }

    /** {@code data: <json>} and the blank line that ends the event. */
    public static byte[] data(Object json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code event: <name>}, {@code data: <json>} and the blank line that ends the event. */
    public static byte[] event(String name, Object json) {
        return ("event: " + name + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
