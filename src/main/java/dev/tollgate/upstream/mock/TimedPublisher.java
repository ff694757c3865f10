package dev.tollgate.upstream.mock;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Publishes fixed chunks, the first after {@code firstDelay} and each next after {@code gap}, honouring demand and cancel. */
final class TimedPublisher implements Flow.Publisher<List<ByteBuffer>> {
    private final List<byte[]> chunks;
    private final Duration firstDelay;
    private final Duration gap;
    private final ScheduledExecutorService timer;

    TimedPublisher(List<byte[]> chunks, Duration firstDelay, Duration gap, ScheduledExecutorService timer) {
        this.chunks = chunks;
        this.firstDelay = firstDelay;
        this.gap = gap;
        this.timer = timer;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
        subscriber.onSubscribe(new Flow.Subscription() {
            private long demand;
            private int next;
            private boolean scheduled;
            private boolean cancelled;

            @Override
            public synchronized void request(long n) {
                demand += n;
                schedule(next == 0 ? firstDelay : gap);
            }

            @Override
            public synchronized void cancel() {
                cancelled = true;
            }

            private synchronized void schedule(Duration delay) {
                if (scheduled || cancelled || demand == 0) {
                    return;
                }
                scheduled = true;
                timer.schedule(this::emit, delay.toNanos(), TimeUnit.NANOSECONDS);
            }

            private void emit() {
                byte[] chunk;
                boolean last;
                synchronized (this) {
                    scheduled = false;
                    if (cancelled) {
                        return;
                    }
                    chunk = chunks.get(next++);
                    last = next == chunks.size();
                    demand--;
                    if (last) {
                        cancelled = true;
                    }
                }
                subscriber.onNext(List.of(ByteBuffer.wrap(chunk)));
                if (last) {
                    subscriber.onComplete();
                } else {
                    schedule(gap);
                }
            }
        });
    }
}
