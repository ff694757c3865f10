package dev.tollgate.gateway;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * An upstream stream held until its first bytes arrive, so that a stream which dies before
 * sending anything can still be retried elsewhere: nothing has reached the client yet. Once
 * {@link #ready} says the bytes came, the one subscriber gets them first, then the rest as the
 * upstream sends it.
 */
final class PrimedBody implements Flow.Publisher<List<ByteBuffer>>, Flow.Subscriber<List<ByteBuffer>> {
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private Flow.Subscription upstream;
    private Flow.Subscriber<? super List<ByteBuffer>> downstream;
    private List<ByteBuffer> first;
    private boolean firstDelivered;
    private boolean handedOver;
    private boolean ended;
    private Throwable failure;

    PrimedBody(Flow.Publisher<List<ByteBuffer>> body) {
        body.subscribe(this);
    }

    /** Completes true when bytes arrived, false when the stream ended or failed before any. */
    CompletableFuture<Boolean> ready() {
        return ready;
    }

    /** Gives up on the stream (no first bytes in time, or not wanted). */
    void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            s = upstream;
        }
        if (s != null) {
            s.cancel();
        }
        ready.complete(false);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            upstream = s;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        Flow.Subscriber<? super List<ByteBuffer>> d;
        synchronized (this) {
            if (first == null) {
                if (buffers.stream().noneMatch(ByteBuffer::hasRemaining)) {
                    upstream.request(1);
                    return;
                }
                first = buffers;
                d = null;
            } else {
                d = downstream;
            }
        }
        if (d == null) {
            ready.complete(true);
        } else {
            d.onNext(buffers);
        }
    }

    @Override
    public void onError(Throwable t) {
        end(t);
    }

    @Override
    public void onComplete() {
        end(null);
    }

    /** The upstream ended: before any bytes that is a failed start; after, the end waits for the subscriber if need be. */
    private void end(Throwable t) {
        if (!ready.isDone()) {
            ready.complete(false);
            return;
        }
        Flow.Subscriber<? super List<ByteBuffer>> d;
        synchronized (this) {
            ended = true;
            failure = t;
            d = handedOver ? downstream : null;
        }
        if (d != null) {
            signalEnd(d, t);
        }
    }

    private static void signalEnd(Flow.Subscriber<? super List<ByteBuffer>> d, Throwable t) {
        if (t != null) {
            d.onError(t);
        } else {
            d.onComplete();
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
        synchronized (this) {
            downstream = subscriber;
        }
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                boolean deliverFirst;
                synchronized (PrimedBody.this) {
                    deliverFirst = !firstDelivered;
                    firstDelivered = true;
                }
                if (!deliverFirst) {
                    upstream.request(n);
                    return;
                }
                subscriber.onNext(first);
                boolean endedAlready;
                Throwable t;
                synchronized (PrimedBody.this) {
                    handedOver = true; // from now on the end goes straight to the subscriber
                    endedAlready = ended;
                    t = failure;
                }
                if (endedAlready) {
                    signalEnd(subscriber, t);
                } else if (n > 1) {
                    upstream.request(n - 1);
                }
            }

            @Override
            public void cancel() {
                upstream.cancel();
            }
        });
    }
}
