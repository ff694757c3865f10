package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.SlowReader;
import dev.tollgate.it.TestRig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How streams end: the client leaves, the upstream goes quiet, many run at once. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StreamLifecycleIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(StreamLifecycleIT.class, "100ms");
    }

    @Test
    void aClientThatLeavesMidStreamStillYieldsExactlyOneRecord() throws Exception {
        String key = newKey();
        int brokenBefore = TestRig.fake().brokenWrites();
        URI uri = URI.create(TestRig.base());
        String body = chat("fake-slow", true, null, "tell me a long story");
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + uri.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (count(seen, "data: {") < 3) {
                int n = in.read(buf);
                assertTrue(n > 0, "stream ended early: " + seen);
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
        } // closing the socket mid-stream: the client is gone

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(1, TestRig.records(key).size(), "exactly one record");
        assertEquals(499, number(row, "status"));
        assertEquals("partial", row.get("usage_quality"));
        assertTrue(number(row, "completion_tokens") >= 3, "what was seen is counted: " + row);
        assertTrue(number(row, "completion_tokens") < 400,
                "recorded when the client left, not after the upstream's 400 chunks: " + row);
        TestRig.await(() -> TestRig.fake().brokenWrites() > brokenBefore, "the upstream stream to be cancelled");
    }

    @Test
    void aClientThatReadsSlowlyHoldsItsUpstreamBackAndStillGetsEveryEvent() throws Exception {
        SlowReader.readsAFloodSlowlyAndGetsAllOfIt();
    }

    @Test
    void aClientThatStopsReadingIsEndedAfterTheStreamIdleTimeAndItsUpstreamCancelled() throws Exception {
        String key = newKey();
        FakeOpenAi fake = TestRig.fake();
        long before = fake.floodWritten();
        int brokenBefore = fake.brokenWrites();
        URI uri = URI.create(TestRig.base());
        String body = chat("fake-flood", true, null, "flood me");
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("POST " + uri.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            byte[] head = socket.getInputStream().readNBytes(16);
            assertTrue(new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            // then nothing is read: after the rig's 2 s stream idle the gateway gives up on this client
            TestRig.await(() -> fake.brokenWrites() > brokenBefore, "the upstream stream to be cancelled");
            assertTrue(fake.floodWritten() - before < (long) FakeOpenAi.FLOOD_CHUNKS * 4096 / 2,
                    "the upstream was cancelled, not read to its end");
        } // the client leaves; what the container still held for it fails, and the exchange ends
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(499, number(row, "status"));
        assertTrue(String.valueOf(row.get("error")).contains("client took nothing"), row.toString());
        assertEquals(1, TestRig.records(key).size(), "exactly one record");
    }

    @Test
    void quietUpstreamGetsKeepAlivesThenAnIdleTimeout() {
        String key = newKey();
        HttpResponse<String> r = TestRig.post("v1/chat/completions", key, chat("fake-silent", true, null, "hi"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains(": keep-alive\n\n"), "keep-alive comments during the silence: " + r.body());
        assertTrue(r.body().contains("upstream_timeout"), r.body());
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(504, number(row, "status"));
        assertEquals("partial", row.get("usage_quality"));
        assertEquals(1, number(row, "completion_tokens"), "one word arrived before the silence");
    }

    @Test
    void manyConcurrentStreamsAreEachRecordedOnceWithExactUsage() {
        String key = newKey();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int n = 60;
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(TestRig.base() + "v1/chat/completions"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(chat(i % 2 == 0 ? "fake-gpt" : "mock-gpt", true,
                            i % 3 == 0, "hello"))).build();
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        calls.forEach(c -> assertEquals(200, c.join().statusCode()));
        List<Map<String, Object>> rows = awaitRecords(key, n);
        assertEquals(n, rows.size());
        assertEquals(n, rows.stream().map(r -> r.get("id")).distinct().count());
        assertTrue(rows.stream().allMatch(r -> "reported".equals(r.get("usage_quality"))));
        long fake = rows.stream().filter(r -> "fake-gpt".equals(r.get("model"))).mapToLong(r -> number(r, "total_tokens")).sum();
        assertEquals(n / 2 * (11 + 7 + 5), fake);
    }

    private static int count(CharSequence text, String needle) {
        int c = 0;
        for (int i = text.toString().indexOf(needle); i >= 0; i = text.toString().indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }
}
