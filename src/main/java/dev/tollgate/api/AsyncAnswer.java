package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import dev.tollgate.gateway.StreamSink;
import dev.tollgate.logs.Transcript;
import dev.tollgate.usage.Metering;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The answer to one model call, written when the gateway has it, from whatever thread that is:
 * a whole body at once, or an event stream flushed as its events arrive, with no container thread
 * waiting in between. Writes never block (servlet non-blocking output): bytes the client has not
 * taken yet stay with the container, nothing more is handed over until it has, and a stream asks for
 * its next upstream delivery only then ({@link #drained}), so a slow client slows its upstream instead
 * of filling memory or holding the thread that delivers upstream bytes. Once the exchange has ended,
 * by us or by the container (client gone, error), nothing more is written, so no byte lands in a
 * response the container has recycled for another request. An answer given before the request's
 * body was read to its end (a refused key, a body too large or too slow) closes the connection:
 * otherwise the container would wait on a container thread for the rest of the body to throw it
 * away, a thread that a client sending a byte every few seconds could hold for hours.
 */
public final class AsyncAnswer implements StreamSink, AsyncListener, WriteListener {
    private final AsyncContext async;
    private final ServletOutputStream out;
    /** Set by the container's callbacks, which must never wait for a write in progress. */
    private volatile boolean over;
    private volatile boolean bodyUnread;

    private final Metering meter;
    /** What the client is given, for the request log; null when logs are off. */
    private volatile Transcript transcript;

    /** Written, not yet handed to the container: it had not sent what it was given before. Guarded by this. */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /**
     * A whole body up to this size is written at once, the output blocking: an empty socket send
     * buffer (16 KB at least on Linux) takes it without waiting for the client.
     */
    static final int SMALL_BODY = 16 * 1024;
    /** Handed to the container since its last flush. */
    private boolean unflushed;
    /** What runs once the client has taken everything (a stream's next upstream delivery). */
    private Runnable resume;
    /** A write to the client failed: it is gone. */
    private boolean broken;
    /** close() was called; the exchange ends as soon as the client has taken the rest. */
    private boolean closed;
    /** Writes go through the WriteListener (a stream, a large body); until then the output blocks as usual. */
    private boolean nonBlocking;

    private AsyncAnswer(AsyncContext async, ServletOutputStream out, boolean hasBody, Metering meter) {
        this.async = async;
        this.out = out;
        this.bodyUnread = hasBody;
        this.meter = meter;
    }

    /**
     * Suspends the request. Call on the container's thread: listeners can only be added before it
     * returns. No container timeout: the gateway's own timeouts and stream watchdog end every call.
     */
    public static AsyncAnswer start(HttpServletRequest request) throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        ServletOutputStream out = async.getResponse().getOutputStream();
        AsyncAnswer answer = new AsyncAnswer(async, out, hasBody, (Metering) request.getAttribute(Metering.ATTRIBUTE));
        async.addListener(answer);
        return answer;
    }

    /** Keeps a copy of what this answer writes, for the request log. */
    public void transcribe(Transcript t) {
        transcript = t;
    }

    /** The request's body has been read to its end: the connection may serve the client's next request. */
    public void bodyRead() {
        bodyUnread = false;
    }

    public void reply(Reply reply) {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        if (bodyUnread) {
            response.setHeader("Connection", "close");
        }
        Transcript logged = transcript;
        if (logged != null && logged.conversation() != null) {
            response.setHeader("x-tollgate-conversation-id", logged.conversation());
        }
        if (reply instanceof Reply.Stream s) {
            synchronized (this) {
                if (!over) {
                    ServletReplies.startStream(s, response);
                    goNonBlocking();
                }
            }
            s.source().start(this);
            return;
        }
        Reply.Buffered whole = (Reply.Buffered) reply;
        synchronized (this) {
            if (!over) {
                answering(whole.status());
                Transcript t = transcript;
                if (t != null) {
                    t.whole(whole.body());
                }
                ServletReplies.head(whole, response);
                if (nonBlocking || whole.body().length > SMALL_BODY) { // a stream's call can still end in an error body
                    goNonBlocking();
                    pending.add(whole.body());
                } else {
                    try {
                        out.write(whole.body());
                    } catch (IOException e) {
                        broken = true; // the client left before its answer; the meter already has the outcome
                    }
                }
            }
        }
        close();
    }

    /**
     * The call asked for a stream: its writes will not block. Called on the container thread that read
     * the body, where the container runs the WriteListener's first call on the same thread afterwards
     * instead of waking another for it.
     */
    public void expectStream() {
        synchronized (this) {
            if (!over) {
                goNonBlocking();
            }
        }
    }

    /**
     * From now on writes never block. Set only when needed: each WriteListener costs the container a
     * dispatch of its first onWritePossible, measured at several percent of throughput when every
     * answer paid it, and a small whole body is taken by the socket's buffer at once anyway.
     */
    private void goNonBlocking() {
        if (!nonBlocking) {
            nonBlocking = true;
            out.setWriteListener(this);
        }
    }

    @Override
    public synchronized void write(byte[] bytes) throws IOException {
        open();
        pending.add(bytes);
        Transcript t = transcript;
        if (t != null) {
            t.streamed(bytes);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        open();
        try {
            handOver();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    private void open() throws IOException {
        if (over || broken) {
            throw new IOException("client stream closed");
        }
    }

    @Override
    public boolean drained(Runnable then) {
        synchronized (this) {
            try {
                if (over || broken || handOver()) {
                    return true; // taken, or never will be: the next write says which
                }
            } catch (IOException e) {
                broken = true;
                return true;
            }
            resume = then;
            return false;
        }
    }

    /**
     * Hands pending bytes to the container while it can take them without blocking, then flushes;
     * whether the client has taken everything. When not, the container calls {@link
     * #onWritePossible} once it has: each isReady() that answers false arranges that. Holding the lock.
     */
    private boolean handOver() throws IOException {
        while (!pending.isEmpty()) {
            if (!out.isReady()) {
                return false;
            }
            out.write(pending.poll());
            unflushed = true;
        }
        if (unflushed) {
            if (!out.isReady()) {
                return false;
            }
            out.flush();
            unflushed = false;
        }
        return out.isReady();
    }

    /** The client took what it had been given: the rest goes, then the stream goes on, or the exchange ends. */
    @Override
    public void onWritePossible() {
        synchronized (this) {
            if (over) {
                return;
            }
            try {
                if (!broken && !handOver()) {
                    return; // still behind: the container calls again
                }
            } catch (IOException e) {
                broken = true;
            }
            if (closed) {
                finish();
                return;
            }
        }
        wakeWaiting();
    }

    /** A write failed (the client is gone): a stream waiting for it learns so at its next write. */
    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            broken = true;
        }
        wakeWaiting();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (over) {
                return;
            }
            answering(async.getResponse() instanceof HttpServletResponse r ? r.getStatus() : 200);
            boolean taken;
            try {
                taken = broken || !nonBlocking || handOver();
            } catch (IOException e) {
                taken = true;
            }
            if (taken) {
                finish();
            }
            // else onWritePossible finishes once the client has taken the rest (or the container ends it)
        }
    }

    /** Ends the body here and now, then the exchange. Holding the lock. */
    private void finish() {
        over = true;
        try {
            // complete() alone leaves the last bytes (a stream's closing chunk) to a container thread it
            // must first wake, a hop the client waits on
            out.close();
        } catch (IOException | IllegalStateException e) {
            // the client left, or the container ended the exchange: complete() below still applies
        }
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // the container ended it first (error, shutdown): nothing is left to end
        }
    }

    /** The answer's last bytes are about to go: in journaled mode its record is journaled first. */
    private void answering(int status) {
        if (meter != null) {
            meter.answering(status);
        }
    }

    /** The container ended the exchange: a stream waiting for the client to catch up must not wait forever. */
    private void ended() {
        over = true;
        wakeWaiting();
    }

    private void wakeWaiting() {
        Runnable then;
        synchronized (this) {
            then = resume;
            resume = null;
        }
        if (then != null) {
            then.run();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        ended();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        ended();
    }

    @Override
    public void onError(AsyncEvent event) {
        ended();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // one exchange per call: never restarted
    }
}
