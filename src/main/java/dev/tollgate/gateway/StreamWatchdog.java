package dev.tollgate.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One timer for all open streams: once a second it lets each stream send an SSE keep-alive
 * comment after a silence, or give up on an upstream that has gone quiet for too long.
 */
final class StreamWatchdog {
    interface Watched {
        void tick(long nowNanos);
    }

    private final Set<Watched> streams = ConcurrentHashMap.newKeySet();

    StreamWatchdog(ScheduledExecutorService timer) {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void watch(Watched stream) {
        streams.add(stream);
    }

    void forget(Watched stream) {
        streams.remove(stream);
    }

    int open() {
        return streams.size();
    }

    private void tick() {
        long now = System.nanoTime();
        for (Watched w : streams) {
            try {
                w.tick(now);
            } catch (RuntimeException e) {
                streams.remove(w);
            }
        }
    }
}
