package dev.tollgate.usage;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Opens a {@link Metering} for every proxied model call and closes it when the response has
 * really completed: after the filter chain for plain requests, in {@code onComplete} for async
 * and streaming ones. The closed meter's one record goes to the recorder. At undeploy, which
 * destroys filters before the context listener closes the recorder, calls still in flight are
 * closed as 503 so their records are written too.
 */
public final class MeteringFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    /** Status recorded for calls the gateway ended because it was shutting down. */
    static final int SHUTTING_DOWN = 503;
    private final transient Consumer<UsageRecord> recorder;
    private final transient Consumer<UsageRecord> journal;
    private final transient CallTrace.Factory tracing;
    private final transient Set<Metering> inFlight = ConcurrentHashMap.newKeySet();

    public MeteringFilter(Consumer<UsageRecord> recorder) {
        this(recorder, null, CallTrace.Factory.OFF);
    }

    /**
     * @param journal where each record goes before its answer ends (journaled mode); null in buffered mode
     * @param tracing opens each call's trace from the caller's {@code traceparent}
     */
    public MeteringFilter(Consumer<UsageRecord> recorder, Consumer<UsageRecord> journal, CallTrace.Factory tracing) {
        this.recorder = recorder;
        this.journal = journal;
        this.tracing = tracing;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!"POST".equals(request.getMethod())) {
            chain.doFilter(request, response); // listings are not model calls
            return;
        }
        Instant startedAt = Instant.now();
        String endpoint = request.getRequestURI().substring(request.getContextPath().length());
        Metering meter = new Metering(endpoint, startedAt, System.nanoTime());
        if (tracing != CallTrace.Factory.OFF) {
            meter.traced(tracing.start(endpoint, request.getHeader("traceparent"), request.getHeader("tracestate"),
                    startedAt));
        }
        if (journal != null) {
            meter.journalTo(journal);
        }
        request.setAttribute(Metering.ATTRIBUTE, meter);
        inFlight.add(meter);
        boolean threw = true;
        try {
            chain.doFilter(request, response);
            threw = false;
        } finally {
            if (!threw && request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new Completion(meter, response));
            } else {
                complete(meter, threw ? 500 : response.getStatus());
            }
        }
    }

    @Override
    public void destroy() {
        for (Metering meter : inFlight) {
            meter.fail(SHUTTING_DOWN, "the gateway shut down while the call was in flight");
            complete(meter, SHUTTING_DOWN); // a held stream is told to stop, and its record follows
        }
        super.destroy();
    }

    private void complete(Metering meter, int status) {
        inFlight.remove(meter);
        meter.complete(status, System.nanoTime(), recorder);
    }

    private final class Completion implements AsyncListener {
        private final Metering meter;
        private final HttpServletResponse response;

        Completion(Metering meter, HttpServletResponse response) {
            this.meter = meter;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            complete(meter, response.getStatus());
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            meter.fail(504, "the container's async timeout expired");
        }

        @Override
        public void onError(AsyncEvent event) {
            meter.fail(Metering.CLIENT_CLOSED_REQUEST, "connection error: " + event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
