package dev.tollgate.api;

import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.GatewayException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads request bodies without a thread waiting on the client (servlet non-blocking input): bytes
 * are taken as they arrive, so a client sending one byte every few seconds holds a connection but
 * no thread. A body must stay within {@code max-body-size} (413, refused on its declared length
 * before a byte is read), arrive within {@code body-timeout} and, after a short grace, no slower than
 * {@code body-min-rate} on average (408). The answer to a body not read to its end closes the
 * connection ({@link AsyncAnswer}), so the container never waits for the rest to throw it away.
 */
public final class BodyReader {
    private static final int CHUNK = 16 * 1024;
    private static final long CHECK_EVERY_MS = 1000;

    private final InputLimits limits;
    private final ScheduledExecutorService timer;

    public BodyReader(InputLimits limits, ScheduledExecutorService timer) {
        this.limits = limits;
        this.timer = timer;
    }

    public InputLimits limits() {
        return limits;
    }

    /**
     * The body of an asynchronous request (startAsync was called), completed on whichever container
     * thread reads its last bytes; or exceptionally with a {@link GatewayException}.
     */
    public CompletableFuture<byte[]> read(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        if (declared > limits.maxBodyBytes()) {
            return CompletableFuture.failedFuture(tooLarge());
        }
        Read read = new Read(declared);
        try {
            ServletInputStream in = request.getInputStream();
            read.in = in;
            in.setReadListener(read);
        } catch (IOException | IllegalStateException e) {
            read.fail(unreadable());
        }
        return read.result;
    }

    private GatewayException tooLarge() {
        return new GatewayException(Failure.PAYLOAD_TOO_LARGE,
                "The request body is larger than this gateway accepts (" + limits.maxBodyBytes() + " bytes).");
    }

    private static GatewayException unreadable() {
        return new GatewayException(Failure.INVALID_REQUEST, "The request body could not be read.");
    }

    /** One body being read; the container calls it one callback at a time, the timer beside it. */
    private final class Read implements ReadListener {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes;
        private final long started = System.nanoTime();
        ServletInputStream in;
        private volatile long received;
        private ScheduledFuture<?> check;

        Read(long declared) {
            bytes = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), CHUNK * 4L));
        }

        @Override
        public void onDataAvailable() throws IOException {
            byte[] buf = new byte[CHUNK];
            while (!result.isDone() && in.isReady()) {
                int n = in.read(buf);
                if (n < 0) {
                    return; // onAllDataRead follows
                }
                received += n;
                if (received > limits.maxBodyBytes()) {
                    fail(tooLarge());
                    return;
                }
                bytes.write(buf, 0, n);
            }
            if (!result.isDone()) {
                watch(); // the client is slower than us: from now on the clock runs
            }
        }

        @Override
        public void onAllDataRead() {
            synchronized (this) {
                if (check != null) {
                    check.cancel(false);
                }
            }
            result.complete(bytes.toByteArray());
        }

        @Override
        public void onError(Throwable t) {
            fail(unreadable());
        }

        /** Arms the deadline the first time the body has to be waited for; most bodies never are. */
        private synchronized void watch() {
            if (check == null && !result.isDone()) {
                check = timer.scheduleWithFixedDelay(this::checkPace, CHECK_EVERY_MS, CHECK_EVERY_MS,
                        TimeUnit.MILLISECONDS);
            }
        }

        private void checkPace() {
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            if (elapsedMs >= limits.bodyTimeout().toMillis()) {
                fail(new GatewayException(Failure.REQUEST_TIMEOUT, "The request body did not arrive within "
                        + limits.bodyTimeout().toSeconds() + " s."));
                return;
            }
            long paced = elapsedMs - InputLimits.BODY_RATE_GRACE.toMillis();
            if (paced > 0 && received < limits.bodyMinBytesPerSecond() * paced / 1000) {
                fail(new GatewayException(Failure.REQUEST_TIMEOUT, "The request body arrived slower than "
                        + limits.bodyMinBytesPerSecond() + " bytes per second."));
            }
        }

        void fail(GatewayException e) {
            synchronized (this) {
                if (check != null) {
                    check.cancel(false);
                }
            }
            result.completeExceptionally(e);
        }
    }
}
