package dev.tollgate.dashboard;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.usage.UsageRecord;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.math.BigDecimal;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Pushes each finished request to the open dashboards as a Server-Sent Event named
 * {@code record}. Publishing never blocks a request: events go through a small queue to one
 * sender thread, and when dashboards cannot keep up the surplus is dropped (the pages' 30 s
 * refresh catches up).
 */
public final class LiveFeed implements AutoCloseable {
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "tollgate-live-feed");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private volatile Sse sse;
    private volatile SseBroadcaster broadcaster;

    /** Adds a dashboard's event stream; the first one sets the feed up with the runtime's Sse. */
    void subscribe(SseEventSink sink, Sse runtime) {
        synchronized (this) {
            if (broadcaster == null) {
                sse = runtime;
                broadcaster = runtime.newBroadcaster();
            }
        }
        broadcaster.register(sink);
        sink.send(runtime.newEventBuilder().comment("tollgate live feed").reconnectDelay(2000).build());
    }

    /** Announces a finished request to every open dashboard (when there is one). */
    public void publish(UsageRecord r) {
        if (broadcaster == null) {
            return;
        }
        sender.execute(() -> broadcaster.broadcast(event(r)));
    }

    private OutboundSseEvent event(UsageRecord r) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("time", r.timestamp().toString())
                .add("api_key", r.apiKey().masked()).add("model", nonNull(r.model() != null ? r.model() : r.requestedModel()))
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
        return sse.newEventBuilder().name("record").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, b.build().toString()).build();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() {
        sender.shutdownNow();
        SseBroadcaster b = broadcaster;
        if (b != null) {
            b.close();
        }
    }
}
