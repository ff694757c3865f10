package dev.tollgate.gateway;

import dev.tollgate.upstream.SseEvent;
import dev.tollgate.upstream.SseSplitter;
import dev.tollgate.usage.Metering;
import dev.tollgate.usage.StreamObserver;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * Passes an upstream SSE stream to the client event by event as it arrives, reading usage on the
 * way, on the thread that delivered the upstream's bytes. The events of one upstream delivery go out
 * in one flush: none waits for later upstream bytes, and a provider that sends several events at
 * once costs one write, not one each. Writes never block: the relay asks the upstream for one chunk
 * at a time and asks again only once the client has taken the last one ({@link StreamSink#drained}),
 * so a slow client slows the upstream instead of filling memory or holding a thread. However the
 * stream ends (done, upstream broke or went quiet, client left or stopped reading), the meter gets
 * the usage seen and the right status, then the client's stream is closed.
 */
final class StreamRelay implements Flow.Subscriber<List<ByteBuffer>>, Reply.StreamSource, StreamWatchdog.Watched {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Flow.Publisher<List<ByteBuffer>> upstream;
    private final StreamObserver observer;
    private final Metering meter;
    private final StreamWatchdog watchdog;
    private final long idleNanos;
    private final long keepAliveNanos;
    private final SseSplitter splitter;

    private StreamSink sink;
    private Flow.Subscription subscription;
    private volatile long lastUpstreamNanos;
    private long lastClientNanos;
    /** Since when the client has not taken what it was given (the upstream is held back meanwhile); 0 when it has. */
    private long behindSince;
    private boolean ended;
    /** Bytes written since the last flush: a delivery that completed no event sends nothing. */
    private boolean unflushed;

    StreamRelay(Flow.Publisher<List<ByteBuffer>> upstream, StreamObserver observer, Metering meter,
                StreamWatchdog watchdog, Duration idle, Duration keepAlive, int maxEventBytes) {
        this.splitter = new SseSplitter(maxEventBytes);
        this.upstream = upstream;
        this.observer = observer;
        this.meter = meter;
        this.watchdog = watchdog;
        this.idleNanos = idle.toNanos();
        this.keepAliveNanos = keepAlive.toNanos();
    }

    @Override
    public void start(StreamSink sink) {
        this.sink = sink;
        long now = System.nanoTime();
        lastUpstreamNanos = now;
        lastClientNanos = now;
        meter.hold(this::clientGone);
        watchdog.watch(this);
        upstream.subscribe(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancel;
        synchronized (this) {
            subscription = s;
            cancel = ended;
        }
        if (cancel) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lastUpstreamNanos = System.nanoTime();
        try {
            for (ByteBuffer b : buffers) {
                for (SseEvent event : splitter.feed(b)) {
                    pass(event);
                }
            }
            flush();
        } catch (IOException e) {
            clientGone();
            return;
        } catch (IllegalStateException e) {
            upstreamFailed(502, e.getMessage());
            return;
        }
        synchronized (this) {
            behindSince = lastUpstreamNanos;
        }
        if (sink.drained(this::requestNext)) {
            requestNext();
        }
    }

    /** The client has taken everything so far: the upstream's next chunk, with the idle clock started again. */
    private void requestNext() {
        Flow.Subscription s;
        synchronized (this) {
            behindSince = 0;
            s = ended ? null : subscription;
        }
        if (s != null) {
            lastUpstreamNanos = System.nanoTime();
            s.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        boolean timeout = t instanceof HttpTimeoutException;
        upstreamFailed(timeout ? 504 : 502, "upstream stream broke: " + describe(t));
    }

    @Override
    public void onComplete() {
        try {
            for (SseEvent event : splitter.finish()) {
                pass(event);
            }
            flush();
        } catch (IOException e) {
            clientGone();
            return;
        }
        if (observer.error().isPresent()) {
            meter.fail(502, observer.error().get()); // the client already has the upstream's own error event
            end(null);
        } else if (!observer.done()) {
            upstreamFailed(502, "upstream stream ended before its end event");
        } else {
            end(null);
        }
    }

    @Override
    public void tick(long now) {
        long behind;
        synchronized (this) {
            behind = behindSince;
        }
        if (behind != 0) { // the upstream waits for the client: no idle upstream, no keep-alive needed
            if (now - behind > idleNanos) {
                clientStopped();
            }
            return;
        }
        if (now - lastUpstreamNanos > idleNanos) {
            cancelUpstream();
            upstreamFailed(504, "upstream sent nothing for " + Duration.ofNanos(idleNanos).toSeconds() + " s");
            return;
        }
        boolean quiet;
        synchronized (this) {
            quiet = !ended && now - lastClientNanos > keepAliveNanos;
        }
        if (quiet) {
            try {
                send(KEEP_ALIVE, false);
                flush();
            } catch (IOException e) {
                clientGone();
            }
        }
    }

    private void pass(SseEvent event) throws IOException {
        byte[] out = observer.onEvent(event.raw(), event.data());
        if (out != null) {
            send(out, true);
        }
    }

    private synchronized void send(byte[] bytes, boolean answer) throws IOException {
        if (ended) {
            return;
        }
        sink.write(bytes);
        unflushed = true;
        long now = System.nanoTime();
        if (answer) {
            meter.firstByte(now);
        }
        lastClientNanos = now;
    }

    private synchronized void flush() throws IOException {
        if (!ended && unflushed) {
            sink.flush();
            unflushed = false;
        }
    }

    private void upstreamFailed(int status, String message) {
        meter.fail(status, message);
        end(observer.errorEvent(message, status == 504));
    }

    private void clientGone() {
        meter.fail(Metering.CLIENT_CLOSED_REQUEST, "client closed the stream");
        cancelUpstream();
        end(null);
    }

    private void clientStopped() {
        meter.fail(Metering.CLIENT_CLOSED_REQUEST, "client took nothing for " + Duration.ofNanos(idleNanos).toSeconds() + " s");
        cancelUpstream();
        end(null);
    }

    private void cancelUpstream() {
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }

    /** Ends the stream once: a last event if any, the usage into the meter, then close. */
    private void end(byte[] lastEvent) {
        synchronized (this) {
            if (ended) {
                return;
            }
            if (lastEvent != null) {
                try {
                    sink.write(lastEvent);
                    sink.flush();
                } catch (IOException e) {
                    meter.fail(Metering.CLIENT_CLOSED_REQUEST, "client closed the stream");
                }
            }
            ended = true;
        }
        cancelIfUnfinished();
        watchdog.forget(this);
        observer.responseId().ifPresent(meter::answerId);
        meter.finishReasons(observer.finishReasons());
        meter.usage(observer.usage(), observer.quality());
        meter.release(System.nanoTime());
        sink.close();
    }

    private void cancelIfUnfinished() {
        if (meter.hasFailed()) {
            cancelUpstream();
        }
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
