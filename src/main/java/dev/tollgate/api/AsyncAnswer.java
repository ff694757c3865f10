package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import dev.tollgate.gateway.StreamSink;
import dev.tollgate.logs.Transcript;
import dev.tollgate.usage.Metering;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The answer to one model call, written when the gateway has it, from whatever thread that is:
 * a whole body at once, or an event stream flushed as its events arrive, with no container thread
 * waiting in between. Once the exchange has ended, by us or by the container (client gone, error),
 * nothing more is written, so no byte lands in a response the container has recycled for another
 * request. An answer given before the request's body was read to its end (a refused key, a body
 * too large or too slow) closes the connection: otherwise the container would wait on a container
 * thread for the rest of the body to throw it away, a thread that a client sending a byte every few
 * seconds could hold for hours.
 */
public final class AsyncAnswer implements StreamSink, AsyncListener {
    private final AsyncContext async;
    /** Set by the container's callbacks, which must never wait for a write in progress. */
    private volatile boolean over;
    private volatile boolean bodyUnread;

    private final Metering meter;
    /** What the client is given, for the request log; null when logs are off. */
    private volatile Transcript transcript;

    private AsyncAnswer(AsyncContext async, boolean hasBody, Metering meter) {
        this.async = async;
        this.bodyUnread = hasBody;
        this.meter = meter;
    }

    /**
     * Suspends the request. Call on the container's thread: listeners can only be added before it
     * returns. No container timeout: the gateway's own timeouts and stream watchdog end every call.
     */
    public static AsyncAnswer start(HttpServletRequest request) {
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        AsyncAnswer answer = new AsyncAnswer(async, hasBody, (Metering) request.getAttribute(Metering.ATTRIBUTE));
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
                }
            }
            s.source().start(this);
            return;
        }
        synchronized (this) {
            if (!over) {
                try {
                    answering(reply.status());
                    Transcript t = transcript;
                    if (t != null) {
                        t.whole(((Reply.Buffered) reply).body());
                    }
                    ServletReplies.write((Reply.Buffered) reply, response);
                } catch (IOException e) {
                    // the client left before its answer; the meter already has the call's outcome
                }
            }
        }
        close();
    }

    @Override
    public synchronized void write(byte[] bytes) throws IOException {
        open().write(bytes);
        Transcript t = transcript;
        if (t != null) {
            t.streamed(bytes);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        open().flush();
    }

    private ServletOutputStream open() throws IOException {
        if (over) {
            throw new IOException("client stream closed");
        }
        return async.getResponse().getOutputStream();
    }

    @Override
    public synchronized void close() {
        if (over) {
            return;
        }
        over = true;
        answering(async.getResponse() instanceof HttpServletResponse r ? r.getStatus() : 200);
        try {
            // ends the body here and now: complete() alone leaves the last bytes (a whole answer, a
            // stream's closing chunk) to a container thread it must first wake, a hop the client waits on
            async.getResponse().getOutputStream().close();
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

    @Override
    public void onComplete(AsyncEvent event) {
        over = true;
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        over = true;
    }

    @Override
    public void onError(AsyncEvent event) {
        over = true;
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // one exchange per call: never restarted
    }
}
