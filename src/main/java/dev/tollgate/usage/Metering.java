package dev.tollgate.usage;

import dev.tollgate.access.Caller;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The meter of one request. The filter opens it, the gateway fills it in from whichever
 * thread sees each fact, and exactly one record leaves it once the response has completed and the
 * gateway has let go.
 * Synchronized because those threads differ (container, upstream client, keep-alive timer).
 */
public final class Metering {
    /** The request attribute under which the filter leaves the meter for the resources. */
    public static final String ATTRIBUTE = Metering.class.getName();
    /** Status recorded when the client went away before the response ended (nginx's convention). */
    public static final int CLIENT_CLOSED_REQUEST = 499;

    private final String id = UUID.randomUUID().toString();
    private final Instant startedAt;
    private final long startNanos;
    private final String endpoint;
    private final AtomicBoolean finished = new AtomicBoolean();

    private boolean stream;
    private String requestedModel;
    private String model;
    private String provider;
    private String credential;
    private Caller caller = Caller.ANONYMOUS;
    private boolean admitted;
    private Consumer<UsageRecord> onRecord;
    private long firstByteNanos;
    private TokenUsage tokens = TokenUsage.NONE;
    private UsageQuality quality = UsageQuality.NONE;
    private String upstreamRequestId;
    private String error;
    private Integer statusOverride;
    private int attempts;
    private long upstreamNanos;
    private boolean modelCall;
    private int holds;
    private Runnable onAbandon;
    private Consumer<UsageRecord> recorder;
    private int responseStatus;
    private long endNanos;

    public Metering(String endpoint, Instant startedAt, long startNanos) {
        this.endpoint = endpoint;
        this.startedAt = startedAt;
        this.startNanos = startNanos;
    }

    public String id() {
        return id;
    }

    /**
     * Marks the request as a model call, the only kind that is recorded; the API layer says so
     * as soon as it recognises one of its endpoints, so unknown paths leave no record.
     */
    public synchronized void modelCall() {
        modelCall = true;
    }

    public synchronized void caller(Caller caller) {
        this.caller = caller;
    }

    /**
     * The request passed the limits and counts against them; {@code onRecord} (the settlement of
     * its reservations) sees the record first, exactly once, before it is written.
     */
    public synchronized void admitted(Consumer<UsageRecord> onRecord) {
        this.admitted = true;
        this.onRecord = onRecord;
    }

    public synchronized void request(String requestedModel, boolean stream) {
        this.requestedModel = requestedModel;
        this.stream = stream;
    }

    public synchronized void route(String provider, String credential, String upstreamModel) {
        this.provider = provider;
        this.credential = credential;
        this.model = upstreamModel;
    }

    public synchronized void attempt() {
        attempts++;
    }

    /** Adds time spent waiting on the upstream (headers, and for whole bodies the body too). */
    public synchronized void upstreamTime(long nanos) {
        upstreamNanos += nanos;
    }

    /** Time in the gateway so far outside the upstream call: what Tollgate itself cost this request. */
    public synchronized long overheadNanos(long now) {
        return Math.max(0, now - startNanos - upstreamNanos);
    }

    /** The upstream's id for the call; the first one seen (its x-request-id header) wins over body ids. */
    public synchronized void upstreamRequestId(String requestId) {
        if (upstreamRequestId == null && requestId != null && !requestId.isEmpty()) {
            this.upstreamRequestId = requestId;
        }
    }

    public synchronized void usage(TokenUsage tokens, UsageQuality quality) {
        this.tokens = tokens;
        this.quality = quality;
    }

    /** Marks the first byte of the answer going to the client; later calls keep the first. */
    public synchronized void firstByte(long nanos) {
        if (firstByteNanos == 0) {
            firstByteNanos = nanos;
        }
    }

    /**
     * Records a failure whose status the HTTP response can no longer carry (a stream already
     * answered 200 then broke, or the client left). The first failure wins.
     */
    public synchronized void fail(int status, String message) {
        if (statusOverride == null) {
            statusOverride = status;
            error = message;
        }
    }

    /** An error message for a response whose status is already right (4xx/5xx answered normally). */
    public synchronized void error(String message) {
        if (error == null) {
            error = message;
        }
    }

    public synchronized boolean hasFailed() {
        return statusOverride != null;
    }

    /**
     * Declares that the gateway still works on this request after the container thread returns
     * (a stream). The record waits for {@link #release}. If the response ends first (the client
     * left, the container gave up), {@code onAbandon} runs so the gateway can stop and release.
     */
    public void hold(Runnable onAbandon) {
        synchronized (this) {
            holds++;
            this.onAbandon = onAbandon;
        }
    }

    /** The gateway is done with the request; emits the record if the response has completed. */
    public void release(long nanos) {
        synchronized (this) {
            holds--;
            endNanos = Math.max(endNanos, nanos);
        }
        emitIfDone();
    }

    /**
     * The response has completed (called once by the filter). Emits the record to {@code recorder}
     * now, or when the gateway releases its hold.
     */
    public void complete(int responseStatus, long nanos, Consumer<UsageRecord> recorder) {
        Runnable abandon = null;
        synchronized (this) {
            if (this.recorder != null) {
                return;
            }
            this.recorder = recorder;
            this.responseStatus = responseStatus;
            endNanos = Math.max(endNanos, nanos);
            if (holds > 0) {
                abandon = onAbandon;
            }
        }
        if (abandon != null) {
            abandon.run();
        }
        emitIfDone();
    }

    private void emitIfDone() {
        UsageRecord record;
        Consumer<UsageRecord> target;
        Consumer<UsageRecord> settle;
        synchronized (this) {
            if (recorder == null || holds > 0 || !modelCall || !finished.compareAndSet(false, true)) {
                return;
            }
            record = build();
            target = recorder;
            settle = onRecord;
        }
        if (settle != null) {
            settle.accept(record);
        }
        target.accept(record);
    }

    private UsageRecord build() {
        int status = statusOverride != null ? statusOverride : responseStatus;
        long latencyMs = (endNanos - startNanos) / 1_000_000;
        Long ttfb = stream && firstByteNanos != 0 ? (firstByteNanos - startNanos) / 1_000_000 : null;
        String served = model != null ? model : requestedModel;
        return new UsageRecord(id, startedAt, endpoint, stream, requestedModel, served, provider, credential, caller,
                status, latencyMs, ttfb, tokens, quality, upstreamRequestId, error, attempts, admitted, null);
    }
}
