package dev.tollgate.limit;

import java.util.List;
import java.util.UUID;

/**
 * Where the limits' running state lives beyond this instance. A lone instance keeps it in memory
 * ({@link InstanceLedger}); a fleet on PostgreSQL shares it through the database
 * ({@link FleetLedger}), so a key's limits hold across every instance rather than per instance.
 */
interface LimitLedger {

    /**
     * One change to a subject's usage, written so the other instances apply it too; the id, given
     * when it is about to be shared, makes writing it twice harmless. A release ({@code releases}
     * names a hold's id) cancels that hold, and is written only where the hold was: after an
     * unclear failure the hold may or may not be in the ledger, and a release alone would count
     * less than was used.
     */
    record Entry(Subject subject, long atMillis, long requests, long tokens, long costPicoUsd, String id,
                 String releases) {
        Entry(Subject subject, long atMillis, long requests, long tokens, long costPicoUsd) {
            this(subject, atMillis, requests, tokens, costPicoUsd, null, null);
        }

        Entry(Subject subject, long atMillis, long requests, long tokens, long costPicoUsd, String id) {
            this(subject, atMillis, requests, tokens, costPicoUsd, id, null);
        }

        Entry withId() {
            return id != null ? this : new Entry(subject, atMillis, requests, tokens, costPicoUsd,
                    UUID.randomUUID().toString(), releases);
        }

        /** The entry that cancels a hold: its negation, at the hold's time (so in the hold's slots). */
        static Entry release(Entry hold) {
            return new Entry(hold.subject, hold.atMillis, -hold.requests, -hold.tokens, -hold.costPicoUsd,
                    hold.id + ":released", hold.id);
        }
    }

    /** What exclusive work is for: a fleet answers admissions and settlements from slices it took ahead. */
    enum Purpose { ADMIT, SETTLE, READ }

    /** Takes what the work changed, to be shared when the work's exclusive section ends. */
    interface Sink {
        void add(Entry e);

        /** Holds one call in flight under a concurrency cap; returns the lease's id, or null when none is kept. */
        String lease(Subject s);

        void release(String leaseId);
    }

    /** Work done with the subjects up to date and held exclusively; may refuse. */
    @FunctionalInterface
    interface Work<T> {
        T run(Sink sink, long nowMillis) throws LimitExceeded;
    }

    /** Prepares a subject's new allowance (a lone instance rebuilds it from the stored records). */
    void open(Allowance a, long nowMillis);

    /**
     * Runs the work with the allowances brought up to what every instance used, and no other
     * instance changing them until its changes are shared. The caller holds the allowances'
     * monitors, in the order given.
     */
    <T> T exclusive(List<Allowance> involved, long nowMillis, Purpose purpose, Demand demand, Work<T> work)
            throws LimitExceeded;

    /** The subject's allowance was dropped from memory (idle); the next use starts it afresh. */
    default void forget(Subject s) {
    }

    /**
     * Ends the subject's slice when its time is up (the app calls it every second), or in any case
     * when {@code evenLive} (the instance stops); nothing by default.
     */
    default void settleSlices(Allowance a, long nowMillis, boolean evenLive) {
    }

    /** Periodic upkeep (renewing leases, writing what waited for the database); nothing by default. */
    default void maintain(long nowMillis) {
    }
}
