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
import java.util.concurrent.atomic.AtomicInteger;
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
            public boolean drained(Runnable then) {
                return true;
            }

            @Override
            public void close() {
                sink.add("close");
            }
        });

        assertEquals(List.of("a", "b", "c", "flush", "d", "usage", "DONE", "flush", "close"), sink,
                "three events of the first delivery, one flush; the rest at the second, before the end");
    }

    @Test
    void theUpstreamIsAskedForMoreOnlyOnceTheClientHasTakenWhatItWasGiven() {
        List<List<ByteBuffer>> deliveries = List.of(List.of(bytes(chunk("a"))), List.of(bytes(chunk("b"))),
                List.of(bytes("data: [DONE]\n\n")));
        AtomicInteger asked = new AtomicInteger();
        List<String> sink = new ArrayList<>();
        List<Runnable> waiting = new ArrayList<>();
        StreamRelay relay = new StreamRelay(counting(publisher(deliveries), asked), new OpenAiStreamObserver(true, () -> 0),
                new Metering("/v1/chat/completions", Instant.EPOCH, 0), new StreamWatchdog(timer),
                Duration.ofSeconds(30), Duration.ofSeconds(15), 1 << 20);

        relay.start(new StreamSink() {
            @Override
            public void write(byte[] bytes) {
                sink.add(new String(bytes, StandardCharsets.UTF_8).contains("[DONE]") ? "DONE" : "event");
            }

            @Override
            public void flush() {
            }

            @Override
            public boolean drained(Runnable then) {
                waiting.add(then); // a slow client: it has not taken the last event yet
                return false;
            }

            @Override
            public void close() {
                sink.add("close");
            }
        });

        assertEquals(List.of("event"), sink);
        assertEquals(1, asked.get(), "while the client is behind, the upstream is not asked for more");
        waiting.remove(0).run();
        assertEquals(List.of("event", "event"), sink);
        assertEquals(2, asked.get());
        waiting.remove(0).run();
        waiting.remove(0).run();
        assertEquals(List.of("event", "event", "DONE", "close"), sink);
    }

    /** The same publisher, counting the chunks its subscriber asks for. */
    private static Flow.Publisher<List<ByteBuffer>> counting(Flow.Publisher<List<ByteBuffer>> inner, AtomicInteger asked) {
        return subscriber -> inner.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        asked.addAndGet((int) n);
                        s.request(n);
                    }

                    @Override
                    public void cancel() {
                        s.cancel();
                    }
                });
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
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
