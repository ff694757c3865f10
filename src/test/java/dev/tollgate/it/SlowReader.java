package dev.tollgate.it;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A client that reads a stream slower than its upstream sends it, on whichever container the rig
 * targets: the gateway writes without blocking, so what the client has not taken must hold the
 * upstream back, and nothing may be lost or reordered on the way.
 */
public final class SlowReader {
    private SlowReader() {
    }

    /**
     * Asks for {@code fake-flood} (about 50 MB), takes 64 KB, reads nothing for a second (less than
     * the rig's stream idle time), then reads the rest: every event arrives, in order, and the call is
     * recorded with the upstream's usage.
     */
    public static void readsAFloodSlowlyAndGetsAllOfIt() throws IOException, InterruptedException {
        String key = newKey();
        FakeOpenAi fake = TestRig.fake();
        long before = fake.floodWritten();
        URI uri = URI.create(TestRig.base());
        String body = chat("fake-flood", true, null, "flood me");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024); // before connecting: a window that stays small
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            socket.getOutputStream().write(("POST " + uri.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            raw.write(in.readNBytes(64 * 1024));
            Thread.sleep(1000);
            long held = fake.floodWritten() - before;
            long whole = (long) FakeOpenAi.FLOOD_CHUNKS * 4096;
            // what the loopback sockets' buffers take on the way (they grow to a few MB each), nothing more
            assertTrue(held < whole / 3, "the upstream is held back, not read into memory: " + held + " of " + whole);
            in.transferTo(raw);
        }
        String text = body(raw.toByteArray());
        assertTrue(text.startsWith("data: {"), text.substring(0, Math.min(200, text.length())));
        assertEquals(FakeOpenAi.FLOOD_CHUNKS, count(text, "data: {"),
                "every chunk arrives (the usage chunk only to a client that asked)");
        assertEquals(FakeOpenAi.FLOOD_CHUNKS, count(text, FakeOpenAi.FLOOD_TEXT), "no event cut or mixed up");
        assertTrue(text.endsWith("data: [DONE]\n\n"));
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(200, number(row, "status"));
        assertEquals(FakeOpenAi.FLOOD_CHUNKS, number(row, "completion_tokens"));
    }

    /** The body of a raw HTTP/1.1 response that ends with its connection, in chunked transfer coding or not. */
    private static String body(byte[] raw) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int at = all.indexOf("\r\n\r\n") + 4;
        assertTrue(all.startsWith("HTTP/1.1 200"), all.substring(0, at));
        if (!all.substring(0, at).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            return new String(raw, at, raw.length - at, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int eol = all.indexOf("\r\n", at);
            int size = Integer.parseInt(all.substring(at, eol).trim(), 16);
            if (size == 0) {
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(raw, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }

    private static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            c++;
        }
        return c;
    }
}
