package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.usage.Metering;
import dev.tollgate.usage.OpenAiStreamObserver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamRelayTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void theEventsOfOneUpstreamDeliveryGoOutInOneFlushAndNoneWaitsForTheNext() {
        List<List<ByteBuffer>> deliveries = List.of(
                List.of(bytes(chunk("a") + chunk("b")), bytes(chunk("c"))),
                List.of(bytes(chunk("d") + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}\n\n"
                        + "data: [DONE]\n\n")));
        List<String> sink = new ArrayList<>();
        StreamRelay relay = new StreamRelay(publisher(deliveries), new OpenAiStreamObserver(true, () -> 0),
                new Metering("/v1/chat/completions", Instant.EPOCH, 0), new StreamWatchdog(timer),
                Duration.ofSeconds(30), Duration.ofSeconds(15), 1 << 20);

        relay.start(new StreamSink() {
            @Override
            public void write(byte[] bytes) {
                String s = new String(bytes, StandardCharsets.UTF_8);
                sink.add(s.contains("[DONE]") ? "DONE" : s.contains("\"usage\"") ? "usage"
                        : s.replaceAll("(?s).*\"content\":\"(\\w)\".*", "$1"));
            }

            @Override
            public void flush() {
                sink.add("flush");
            }

            @Override
            public void close() {
                sink.add("close");
            }
        });

        assertEquals(List.of("a", "b", "c", "flush", "d", "usage", "DONE", "flush", "close"), sink,
                "three events of the first delivery, one flush; the rest at the second, before the end");
    }

    private static String chunk(String word) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + word + "\"}}]}\n\n";
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands out one delivery per request, then completes: the way the HttpClient's body publisher behaves. */
    private static Flow.Publisher<List<ByteBuffer>> publisher(List<List<ByteBuffer>> deliveries) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;

            @Override
            public void request(long n) {
                if (next < deliveries.size()) {
                    subscriber.onNext(deliveries.get(next++));
                } else if (next++ == deliveries.size()) {
                    subscriber.onComplete();
                }
            }

            @Override
            public void cancel() {
                next = deliveries.size() + 1;
            }
        });
    }
}
