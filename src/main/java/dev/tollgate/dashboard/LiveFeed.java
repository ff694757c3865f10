package dev.tollgate.dashboard;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.SseFrame;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Pushes each finished request to the open dashboards as a Server-Sent Event named
 * {@code record}. Publishing never blocks a request: events go through a small queue to one
 * sender thread, and when dashboards cannot keep up the surplus is dropped (the pages' 30 s
 * refresh catches up).
 *
 * <p>Written on the servlet API rather than Jersey's SSE sinks: a Jersey sink whose client went
 * away keeps writing into a response that Tomcat has already recycled for another request
 * (eclipse-ee4j/jersey#3719), which here hung an unrelated proxied call. Each subscriber is
 * written only under its own lock and only while open; the container's error, timeout and
 * completion callbacks close it under the same lock, so nothing touches a finished response.
 */
public final class LiveFeed implements AutoCloseable {
    /** How long one event stream lasts before the browser reconnects (it does so by itself). */
    static final Duration STREAM = Duration.ofMinutes(10);
    private static final byte[] HELLO = ": tollgate live feed\nretry: 2000\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "tollgate-live-feed");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    /** Sends a comment every 15 s, so proxies keep the streams open and dead ones are found. */
    public void keepAlive(ScheduledExecutorService timer) {
        timer.scheduleWithFixedDelay(() -> sender.execute(() -> sendAll(KEEP_ALIVE)), 15, 15, TimeUnit.SECONDS);
    }

    /** Takes over an async request as an event stream (the servlet has set the headers). */
    void subscribe(AsyncContext async) throws IOException {
        Subscriber s = new Subscriber(async);
        async.setTimeout(STREAM.toMillis());
        async.addListener(s);
        subscribers.add(s);
        s.send(HELLO);
    }

    int subscribers() {
        return subscribers.size();
    }

    /** Announces a finished request to every open dashboard (when there is one). */
    public void publish(UsageRecord r) {
        if (!subscribers.isEmpty()) {
            sender.execute(() -> sendAll(event(r)));
        }
    }

    private void sendAll(byte[] frame) {
        for (Subscriber s : subscribers) {
            s.send(frame);
        }
    }

    static byte[] event(UsageRecord r) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("time", r.timestamp().toString())
                .add("api_key", r.apiKey().masked())
                .add("model", nonNull(r.model() != null ? r.model() : r.requestedModel()))
                .add("provider", nonNull(r.provider())).add("status", r.status()).add("stream", r.stream())
                .add("total_tokens", r.tokens().total()).add("latency_ms", r.latencyMs());
        if (r.caller().userId() != null) {
            b.add("user", r.caller().userId());
        }
        if (r.ttfbMs() != null) {
            b.add("ttfb_ms", r.ttfbMs());
        }
        if (r.charge() != null) {
            b.add("cost_usd", BigDecimal.valueOf(r.charge().costPicoUsd(), 12).stripTrailingZeros());
        }
        // JSON has no raw newlines, so the event is one data line
        return SseFrame.event("record", b.build());
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() {
        sender.shutdownNow();
        subscribers.forEach(Subscriber::finish);
    }

    /** One open event stream; written and closed only under its own lock. */
    private final class Subscriber implements AsyncListener {
        private final AsyncContext async;
        private boolean open = true;

        Subscriber(AsyncContext async) {
            this.async = async;
        }

        synchronized void send(byte[] frame) {
            if (!open) {
                return;
            }
            try {
                ServletOutputStream out = async.getResponse().getOutputStream();
                out.write(frame);
                out.flush();
            } catch (IOException | RuntimeException gone) {
                finish(); // the dashboard went away
            }
        }

        /** Ends the stream once; the response is never touched again. */
        synchronized void finish() {
            subscribers.remove(this);
            if (open) {
                open = false;
                try {
                    async.complete();
                } catch (IllegalStateException alreadyDone) {
                    // the container completed it first
                }
            }
        }

        /** The container is done with the request: stop writing, without completing it again. */
        private synchronized void closedByContainer() {
            subscribers.remove(this);
            open = false;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            closedByContainer();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            finish();
        }

        @Override
        public void onError(AsyncEvent event) {
            finish();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // one async cycle per stream
        }
    }
}
