package dev.tollgate.usage;

import dev.tollgate.access.Caller;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The meter of one request. The filter opens it, the gateway fills it in from whichever
 * thread sees each fact, and exactly one record leaves it once the response has completed and the
 * gateway has let go.
 * Synchronized because those threads differ (container, upstream client, keep-alive timer).
 */
public final class Metering {
    /** The request attribute under which the filter leaves the meter for the resources. */
    public static final String ATTRIBUTE = Metering.class.getName();
    private static final Logger LOG = Logger.getLogger(Metering.class.getName());
    /** Status recorded when the client went away before the response ended (nginx's convention). */
    public static final int CLIENT_CLOSED_REQUEST = 499;
    static final int MAX_ENDPOINT = 256;
    static final int MAX_UPSTREAM_ID = 256;
    static final int MAX_ERROR = 1024;

    private final String id = RequestIds.next();
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
    private String usageReported;
    private String upstreamRequestId;
    private String error;
    private Integer statusOverride;
    private int attempts;
    private long upstreamNanos;
    private long overheadNanos = -1;
    private boolean modelCall;
    private int holds;
    private Runnable onAbandon;
    private Consumer<UsageRecord> recorder;
    private int responseStatus;
    private long endNanos;
    private Consumer<UsageRecord> journal;
    private boolean journaled;
    private Consumer<UsageRecord> afterRecord;
    private CallTrace trace = CallTrace.OFF;
    private String answerId;
    private List<String> finishReasons = List.of();

    public Metering(String endpoint, Instant startedAt, long startNanos) {
        this.endpoint = endpoint;
        this.startedAt = startedAt;
        this.startNanos = startNanos;
    }

    public String id() {
        return id;
    }

    /** The call's trace ({@link CallTrace#OFF} unless tracing is on); it is finished with the record. */
    public synchronized CallTrace trace() {
        return trace;
    }

    public synchronized void traced(CallTrace trace) {
        this.trace = trace;
    }

    /**
     * Journaled mode: the record goes to {@code journal} the moment the answer is about to end
     * ({@link #answering}), or when it is emitted if the answer never ended (client gone, shutdown).
     */
    public synchronized void journalTo(Consumer<UsageRecord> journal) {
        this.journal = journal;
    }

    /**
     * The API layer is about to let the answer's last bytes go, with {@code status}: in journaled
     * mode the record, as it stands now, is journaled first, so a crash after the client has its
     * answer cannot lose the call. The record written later has the same id (and, unless the client
     * fails to take the last bytes, the same figures), so the journal's copy is only ever a stand-in.
     */
    public void answering(int status) {
        UsageRecord record;
        Consumer<UsageRecord> target;
        synchronized (this) {
            if (journal == null || journaled || !modelCall || finished.get()) {
                return;
            }
            journaled = true;
            target = journal;
            record = build(statusOverride != null ? statusOverride : status, Math.max(endNanos, System.nanoTime()));
        }
        target.accept(record);
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

    /**
     * {@code hook} sees the record after it went to the recorder (the request log takes its
     * transcript then); a failure in it never touches the record.
     */
    public synchronized void afterRecord(Consumer<UsageRecord> hook) {
        this.afterRecord = hook;
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

    /**
     * The answer is leaving the gateway now: its time so far outside the upstream call is what Tollgate
     * itself cost this request. Kept for the record (the last answer's, after retries), and returned.
     */
    public synchronized long answerLeaves(long now) {
        overheadNanos = Math.max(0, now - startNanos - upstreamNanos);
        return overheadNanos;
    }

    /** The upstream's id for the call; the first one seen (its x-request-id header) wins over body ids. */
    public synchronized void upstreamRequestId(String requestId) {
        if (upstreamRequestId == null && requestId != null && !requestId.isEmpty()) {
            this.upstreamRequestId = requestId;
        }
    }

    /**
     * The id the upstream's answer carried (a completion's or a message's id), for the trace; also
     * the record's upstream id unless a request id came first.
     */
    public synchronized void answerId(String id) {
        if (answerId == null && id != null && !id.isEmpty()) {
            answerId = bounded(id, MAX_UPSTREAM_ID);
        }
        upstreamRequestId(id);
    }

    /** Why the model stopped, as the answer said (for the trace); the last answer's, after retries. */
    public synchronized void finishReasons(List<String> reasons) {
        this.finishReasons = List.copyOf(reasons);
    }

    /** The call's usage; impossible counts are clamped here, the one door every path's usage goes through. */
    public synchronized void usage(TokenUsage tokens, UsageQuality quality) {
        UsageSanity.Checked checked = UsageSanity.check(tokens);
        this.tokens = checked.usage();
        this.quality = checked.reported() == null ? quality : UsageQuality.CLAMPED;
        this.usageReported = checked.reported();
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
        Consumer<UsageRecord> unjournaled;
        Consumer<UsageRecord> after;
        CallTrace finishTrace;
        CallTrace.Outcome outcome;
        synchronized (this) {
            if (recorder == null || holds > 0 || !modelCall || !finished.compareAndSet(false, true)) {
                return;
            }
            record = build(statusOverride != null ? statusOverride : responseStatus, endNanos);
            target = recorder;
            settle = onRecord;
            unjournaled = journaled ? null : journal;
            after = afterRecord;
            finishTrace = trace;
            outcome = new CallTrace.Outcome(answerId, finishReasons);
        }
        if (unjournaled != null) {
            unjournaled.accept(record);
        }
        if (settle != null) {
            try {
                settle.accept(record);
            } catch (RuntimeException e) { // the limits' books must never cost the record
                LOG.log(Level.SEVERE, "tollgate: cannot settle limits for record " + id, e);
            }
        }
        target.accept(record);
        try {
            finishTrace.finish(record, outcome);
        } catch (RuntimeException e) { // a trace is an extra: it never costs the record or the request log
            LOG.log(Level.WARNING, "tollgate: the trace of record " + id + " could not be finished", e);
        }
        if (after != null) {
            try {
                after.accept(record);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "tollgate: the request log could not take record " + id, e);
            }
        }
    }

    private UsageRecord build(int status, long endNanos) {
        long latencyMs = (endNanos - startNanos) / 1_000_000;
        Long ttfb = stream && firstByteNanos != 0 ? (firstByteNanos - startNanos) / 1_000_000 : null;
        String served = model != null ? model : requestedModel;
        return new UsageRecord(id, startedAt, bounded(endpoint, MAX_ENDPOINT), stream, requestedModel, served, provider,
                credential, caller, status, latencyMs, ttfb, tokens, quality, bounded(upstreamRequestId, MAX_UPSTREAM_ID),
                bounded(error, MAX_ERROR), attempts, admitted, null, usageReported,
                overheadNanos < 0 ? -1 : overheadNanos / 1000);
    }

    /**
     * Text a caller or an upstream chose (a path, an upstream's error message or request id) is cut to
     * a bound before it is stored; model names were bounded where they entered.
     */
    static String bounded(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int cut = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
        return s.substring(0, cut) + "…";
    }
}
