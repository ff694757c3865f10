package dev.tollgate.limit;

import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.store.Database;
import dev.tollgate.store.FleetJobs;
import dev.tollgate.store.StoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The limits' state shared by every instance on one PostgreSQL database, so that a key limited to
 * 60 requests a minute gets 60 across the fleet.
 *
 * <p>Each instance keeps its allowances in memory as before and shares every change through the
 * append-only {@code limit_ledger}. Checking and reserving happen inside one transaction that holds
 * a transaction-scoped advisory lock per subject (taken in the same global → user → key order on
 * every instance) and first applies the rows other instances appended since this one last looked.
 * Because a subject's rows are only appended under its lock, their sequence numbers commit in
 * order, and "rows after the last one seen" misses nothing. So limits are exact across the fleet,
 * as on one instance, at the price of one short transaction per limited request and one per
 * settlement.
 *
 * <p>Far from its limits a subject is not served that way: the transaction also takes a
 * {@link QuotaSlice} (a hold of 1 % of each limit, counted as used by every other instance), and
 * until it runs out or its second is up this instance admits and settles the subject's requests in
 * memory, writing them afterwards in one transaction, summed per second, with the hold's release.
 * The fleet's holds and real usage together never pass a limit, so slices cost no exactness; they
 * can only refuse early (while another instance holds room it has not used, at most a second).
 *
 * <p>Calls in flight under a concurrency cap are rows in {@code limit_leases}, renewed by their
 * instance; those of an instance that died expire after {@link #LEASE}.
 *
 * <p>When the database cannot be reached, the instance goes on alone (local mode): it checks
 * against what it knew last plus what it admitted since, and the entries it could not write wait
 * in memory and are written, once and only once (each has a unique id), when the database is back.
 */
final class FleetLedger implements LimitLedger {
    private static final Logger LOG = Logger.getLogger(FleetLedger.class.getName());
    /** How long a concurrency lease outlives its instance's last renewal. */
    static final Duration LEASE = Duration.ofSeconds(90);
    /** First key of the ledger's advisory locks (the migration lock uses the one-key form). */
    private static final int LOCK_SPACE = 0x746c6c67;
    /** Entries kept while the database is down; beyond it the oldest are forgotten (and logged). */
    private static final int MAX_WAITING = 100_000;
    /** How long local mode lasts before requests try the database again (maintain() tries meanwhile). */
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final String SEED_JOB = "limit-ledger-seed";
    private static final String COMPACT_JOB = "limit-ledger-compact";
    /** Rows older than this count only for the total-token limit: once a day they are folded into one per subject. */
    static final Duration KEEP = Allowance.MONTH.plusDays(2);
    /** The writer of folded rows: they restate rows every live reader has applied already, so readers skip them. */
    private static final String CARRIED = "carry";

    private final Database db;
    private final FleetJobs turns;
    /** This instance's name on its rows, unique per start so its own rows are never applied twice. */
    private final String writer;
    private final Map<Subject, Long> seen = new ConcurrentHashMap<>();
    private final Map<String, Entry> waiting = new LinkedHashMap<>();
    private final Set<String> heldLeases = ConcurrentHashMap.newKeySet();
    /** Room taken ahead per subject; each is used under its subject's allowance monitor. */
    private final Map<Subject, QuotaSlice> slices = new ConcurrentHashMap<>();
    private volatile boolean local;
    /** While local, requests do not try the database before this time (a dead server can cost a connect timeout). */
    private volatile long retryAt;

    FleetLedger(Database db, String instanceId, long nowMillis) {
        this.db = db;
        this.turns = new FleetJobs(db, instanceId);
        this.writer = instanceId + "/" + UUID.randomUUID().toString().substring(0, 8);
        seedOnce(nowMillis);
    }

    @Override
    public void open(Allowance a, long nowMillis) {
        // rebuilt from the ledger under the subject's lock, on first use: see exclusive
    }

    @Override
    public <T> T exclusive(List<Allowance> involved, long now, Purpose purpose, Demand demand, Work<T> work)
            throws LimitExceeded {
        if (servedBySlices(involved, now, purpose, demand)) {
            return work.run(underSlices, now);
        }
        List<Entry> closing = closeSlices(involved);
        if (local && System.currentTimeMillis() < retryAt) {
            closing.forEach(this::wait);
            return alone(work, now, null);
        }
        Connection c = null;
        try {
            Map<String, Entry> flushed = new LinkedHashMap<>();
            try {
                c = db.connection();
                c.setAutoCommit(false);
                for (Allowance a : involved) {
                    lock(c, a.subject);
                    flushed.putAll(writeWaiting(c, a.subject));
                    catchUp(c, a, now);
                }
                insert(c, closing);
            } catch (SQLException e) {
                rollback(c);
                closing.forEach(this::wait);
                return alone(work, now, e);
            }
            Shared sink = new Shared();
            T result;
            try {
                result = work.run(sink, now);
            } catch (LimitExceeded | RuntimeException e) {
                // a refusal still shares the waiting entries it wrote and the slices it ended
                if (!commit(c, flushed.keySet())) {
                    closing.forEach(this::wait);
                }
                throw e;
            }
            List<QuotaSlice> taken = purpose == Purpose.ADMIT ? takeSlices(involved, now, demand) : List.of();
            try {
                sink.write(c, now);
                insert(c, taken.stream().filter(QuotaSlice::holds).map(t -> t.hold).toList());
            } catch (SQLException e) {
                rollback(c);
                closing.forEach(this::wait);
                keepForLater(sink, e);
                return result;
            }
            if (commit(c, flushed.keySet())) {
                taken.forEach(t -> slices.put(t.subject, t));
            } else {
                closing.forEach(this::wait);
                // the holds may have landed: their releases cancel them wherever they did, and only there
                taken.stream().filter(QuotaSlice::holds).forEach(t -> wait(Entry.release(t.hold)));
                keepForLater(sink, null);
            }
            return result;
        } finally {
            close(c);
        }
    }

    /** Whether every subject involved has a slice that answers this use without the database. */
    private boolean servedBySlices(List<Allowance> involved, long now, Purpose purpose, Demand demand) {
        for (Allowance a : involved) {
            QuotaSlice s = slices.get(a.subject);
            boolean served = s != null && !a.limits().has(Kind.MAX_CONCURRENT) && switch (purpose) {
                case ADMIT -> s.admits(now, demand);
                case SETTLE -> s.live(now);
                case READ -> false; // a reading goes to the ledger, for the fleet's figures
            };
            if (!served) {
                return false;
            }
        }
        return true;
    }

    /** Ends the involved subjects' slices here: what to write for them (usage and releases). */
    private List<Entry> closeSlices(List<Allowance> involved) {
        List<Entry> out = new ArrayList<>();
        for (Allowance a : involved) {
            QuotaSlice s = slices.remove(a.subject);
            if (s != null) {
                out.addAll(s.settlement());
            }
        }
        return out;
    }

    /** Fresh slices for the subjects far enough from their limits, after this admission. */
    private static List<QuotaSlice> takeSlices(List<Allowance> involved, long now, Demand demand) {
        List<QuotaSlice> out = new ArrayList<>(involved.size());
        for (Allowance a : involved) {
            QuotaSlice s = QuotaSlice.take(a, now, demand);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void settleSlices(Allowance a, long now, boolean evenLive) {
        QuotaSlice s = slices.get(a.subject);
        if (s == null || (s.live(now) && !evenLive)) {
            return;
        }
        slices.remove(a.subject);
        List<Entry> closing = s.settlement();
        if (local && System.currentTimeMillis() < retryAt) {
            closing.forEach(this::wait);
            return;
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                lock(c, a.subject);
                insert(c, closing);
                c.commit();
            } catch (SQLException e) {
                rollback(c);
                throw e;
            }
            back();
        } catch (SQLException e) {
            closing.forEach(this::wait); // each has its id, the release its condition: writing them again is harmless
            down(e);
        }
    }

    /** Work under slices: what it admits and corrects is counted into them, written when they end. */
    private final Sink underSlices = new Sink() {
        @Override
        public void add(Entry e) {
            slices.get(e.subject()).count(e);
        }

        @Override
        public String lease(Subject s) {
            return null; // a subject with a concurrency cap never has a slice
        }

        @Override
        public void release(String leaseId) {
            heldLeases.remove(leaseId); // maintain() deletes its row
        }
    };

    /**
     * Renews this instance's leases, drops the ones it released while the database was away, and
     * writes entries still waiting for their subject's next request.
     */
    @Override
    public void forget(Subject s) {
        seen.remove(s);
        QuotaSlice slice = slices.remove(s);
        if (slice != null) {
            slice.settlement().forEach(this::wait);
        }
    }

    @Override
    public void maintain(long now) {
        try (Connection c = db.connection()) {
            if (turns.claim(COMPACT_JOB, Duration.ofDays(1), now)) {
                compact(c, now - KEEP.toMillis());
            }
            String[] held = heldLeases.toArray(String[]::new);
            Array ids = c.createArrayOf("text", held);
            try (PreparedStatement renew = c.prepareStatement(
                    "UPDATE limit_leases SET expires_at = ? WHERE writer = ? AND id = ANY (?)");
                 PreparedStatement drop = c.prepareStatement(
                         "DELETE FROM limit_leases WHERE writer = ? AND NOT (id = ANY (?))")) {
                renew.setLong(1, now + LEASE.toMillis());
                renew.setString(2, writer);
                renew.setArray(3, ids);
                renew.executeUpdate();
                drop.setString(1, writer);
                drop.setArray(2, ids);
                drop.executeUpdate();
            }
            for (Subject s : waitingSubjects()) {
                c.setAutoCommit(false);
                lock(c, s);
                Map<String, Entry> flushed = writeWaiting(c, s);
                c.commit();
                forget(flushed.keySet());
                c.setAutoCommit(true);
            }
            back();
        } catch (SQLException e) {
            down(e);
        } catch (StoreException e) { // the compaction turn is claimed through store.Sql
            down(e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e));
        }
    }

    /** The work happened here; what it changed is shared when the database answers again. */
    private void keepForLater(Shared sink, SQLException cause) {
        sink.entries.forEach(this::wait);
        sink.taken.forEach(heldLeases::remove);
        if (cause != null) {
            down(cause);
        }
    }

    /** Commits; on success forgets the waiting entries the transaction wrote. False when the commit failed. */
    private boolean commit(Connection c, Set<String> flushed) {
        try {
            c.commit();
        } catch (SQLException e) {
            rollback(c);
            down(e);
            return false;
        }
        forget(flushed);
        back();
        return true;
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken connection; the pool or the driver discards it
            }
        }
    }

    /**
     * Folds the rows older than {@code cutoff} into one row per subject. Safe for readers: an
     * allowance idle for a day is dropped (and later rebuilt from all rows), so every live reader
     * has applied the folded rows long ago, and skips the row that restates them.
     */
    private static void compact(Connection c, long cutoff) throws SQLException {
        c.setAutoCommit(false);
        long upTo;
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM limit_ledger WHERE at_ms < ?")) {
            p.setLong(1, cutoff);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                upTo = rs.getLong(1);
            }
        }
        try (PreparedStatement fold = c.prepareStatement("INSERT INTO limit_ledger (subject, at_ms, requests, tokens, "
                + "cost_pusd, writer) SELECT subject, 0, 0, SUM(tokens), 0, '" + CARRIED + "' FROM limit_ledger "
                + "WHERE at_ms < ? AND seq <= ? GROUP BY subject");
             PreparedStatement drop = c.prepareStatement("DELETE FROM limit_ledger WHERE at_ms < ? AND seq <= ?")) {
            for (PreparedStatement p : List.of(fold, drop)) {
                p.setLong(1, cutoff);
                p.setLong(2, upTo);
                p.executeUpdate();
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** Local mode: the work runs on what this instance knows, and its entries wait for the database. */
    private <T> T alone(Work<T> work, long now, SQLException cause) throws LimitExceeded {
        down(cause);
        return work.run(new Sink() {
            @Override
            public void add(Entry e) {
                FleetLedger.this.wait(e.withId());
            }

            @Override
            public String lease(Subject s) {
                return null; // in flight here only; the fleet cannot hear of it now
            }

            @Override
            public void release(String leaseId) {
                heldLeases.remove(leaseId); // maintain() deletes its row when the database answers
            }
        }, now);
    }

    /** What the work changed, written in its transaction. */
    private final class Shared implements Sink {
        final List<Entry> entries = new ArrayList<>();
        final List<Map.Entry<String, Subject>> leases = new ArrayList<>();
        final List<String> taken = new ArrayList<>();
        final List<String> released = new ArrayList<>();

        @Override
        public void add(Entry e) {
            entries.add(e.withId());
        }

        @Override
        public String lease(Subject s) {
            String id = UUID.randomUUID().toString();
            leases.add(Map.entry(id, s));
            taken.add(id);
            heldLeases.add(id);
            return id;
        }

        @Override
        public void release(String leaseId) {
            released.add(leaseId);
            heldLeases.remove(leaseId);
        }

        void write(Connection c, long now) throws SQLException {
            insert(c, entries);
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO limit_leases (id, subject, writer, expires_at) VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<String, Subject> l : leases) {
                    p.setString(1, l.getKey());
                    p.setString(2, key(l.getValue()));
                    p.setString(3, writer);
                    p.setLong(4, now + LEASE.toMillis());
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM limit_leases WHERE id = ?")) {
                for (String id : released) {
                    p.setString(1, id);
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
    }

    /** Serialises this subject's changes across the fleet until the transaction ends. */
    private static void lock(Connection c, Subject s) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            p.setInt(1, LOCK_SPACE);
            p.setString(2, key(s));
            p.executeQuery().close();
        }
    }

    /**
     * Brings the allowance up to the ledger: on first use rebuilt from all of it, after that only
     * the rows other instances appended since; and its calls in flight from the live leases.
     */
    private void catchUp(Connection c, Allowance a, long now) throws SQLException {
        String subject = key(a.subject);
        Long last = seen.get(a.subject);
        if (last == null) {
            a.restore(now, ledgerHistory(c, subject));
            seen.put(a.subject, maxSeq(c, subject));
        } else {
            long newest = last;
            try (PreparedStatement p = c.prepareStatement("SELECT seq, at_ms, requests, tokens, cost_pusd, writer "
                    + "FROM limit_ledger WHERE subject = ? AND seq > ? ORDER BY seq")) {
                p.setString(1, subject);
                p.setLong(2, last);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        newest = rs.getLong(1);
                        String by = rs.getString(6);
                        if (!writer.equals(by) && !CARRIED.equals(by)) {
                            a.apply(now, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                        }
                    }
                }
            }
            seen.put(a.subject, newest);
        }
        if (a.limits().has(Kind.MAX_CONCURRENT)) {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT COUNT(*) FROM limit_leases WHERE subject = ? AND expires_at > ?")) {
                p.setString(1, subject);
                p.setLong(2, now);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    a.inFlight = rs.getLong(1);
                }
            }
        }
    }

    private static Allowance.History ledgerHistory(Connection c, String subject) {
        return new Allowance.History() {
            @Override
            public List<Allowance.Used> perSlot(long slotMillis, long sinceMillis) throws SQLException {
                List<Allowance.Used> out = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT at_ms / " + slotMillis + ", SUM(requests), "
                        + "SUM(tokens), SUM(cost_pusd) FROM limit_ledger WHERE subject = ? AND at_ms >= ? "
                        + "GROUP BY at_ms / " + slotMillis)) {
                    p.setString(1, subject);
                    p.setLong(2, sinceMillis);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Allowance.Used(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                        }
                    }
                }
                return out;
            }

            @Override
            public long totalTokens() throws SQLException {
                return single(c, "SELECT COALESCE(SUM(tokens), 0) FROM limit_ledger WHERE subject = ?", subject);
            }
        };
    }

    private static long maxSeq(Connection c, String subject) throws SQLException {
        return single(c, "SELECT COALESCE(MAX(seq), 0) FROM limit_ledger WHERE subject = ?", subject);
    }

    private static long single(Connection c, String sql, String subject) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, subject);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void insert(Connection c, Collection<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        // a unique id per entry: writing one again after an unclear failure changes nothing
        try (PreparedStatement p = c.prepareStatement("INSERT INTO limit_ledger (id, subject, at_ms, requests, tokens, "
                + "cost_pusd, writer) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
             PreparedStatement release = c.prepareStatement("INSERT INTO limit_ledger (id, subject, at_ms, requests, "
                     + "tokens, cost_pusd, writer) SELECT ?, subject, at_ms, -requests, -tokens, -cost_pusd, writer "
                     + "FROM limit_ledger WHERE id = ? ON CONFLICT (id) DO NOTHING")) {
            for (Entry e : entries) {
                if (e.releases() != null) { // the hold's own negation, where the hold is
                    release.setString(1, e.id());
                    release.setString(2, e.releases());
                    release.addBatch();
                    continue;
                }
                p.setString(1, e.id());
                p.setString(2, key(e.subject()));
                p.setLong(3, e.atMillis());
                p.setLong(4, e.requests());
                p.setLong(5, e.tokens());
                p.setLong(6, e.costPicoUsd());
                p.setString(7, writer);
                p.addBatch();
            }
            p.executeBatch();
            release.executeBatch();
        }
    }

    /** Writes the subject's waiting entries in the caller's transaction; returns them, to forget once committed. */
    private Map<String, Entry> writeWaiting(Connection c, Subject s) throws SQLException {
        Map<String, Entry> mine = new LinkedHashMap<>();
        synchronized (waiting) {
            waiting.forEach((id, e) -> {
                if (e.subject().equals(s)) {
                    mine.put(id, e);
                }
            });
        }
        insert(c, mine.values());
        return mine;
    }

    private void forget(Set<String> ids) {
        if (!ids.isEmpty()) {
            synchronized (waiting) {
                waiting.keySet().removeAll(ids);
            }
        }
    }

    private List<Subject> waitingSubjects() {
        synchronized (waiting) {
            return waiting.values().stream().map(Entry::subject).distinct().toList();
        }
    }

    private void wait(Entry e) {
        synchronized (waiting) {
            waiting.put(e.id(), e);
            if (waiting.size() > MAX_WAITING) {
                String oldest = waiting.keySet().iterator().next();
                waiting.remove(oldest);
                LOG.warning("tollgate: more than " + MAX_WAITING + " limit entries wait for the database; "
                        + "the oldest is forgotten and the fleet will not count it");
            }
        }
    }

    private void down(SQLException e) {
        if (e == null) {
            return;
        }
        retryAt = System.currentTimeMillis() + RETRY.toMillis();
        if (!local) {
            local = true;
            LOG.warning("tollgate: the database does not answer; limits are enforced by this instance alone until it "
                    + "does (local mode): " + e.getMessage());
        }
    }

    private void back() {
        if (local) {
            local = false;
            LOG.info("tollgate: the database answers again; limits are shared with the fleet again");
        }
    }

    private static void rollback(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the transaction with it
        }
    }

    /** A subject as the ledger names it: "KEY:key-1a2b", "USER:alice", "GLOBAL:". */
    static String key(Subject s) {
        return s.kind().name() + ":" + s.id();
    }

    /**
     * Fills an empty ledger once from the admitted usage records (a gateway that ran on SQLite and
     * was copied over, or one upgraded in place), so limits carry on from what was used before.
     */
    private void seedOnce(long now) {
        long since = now - Allowance.MONTH.toMillis() - Duration.ofDays(1).toMillis();
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + LOCK_SPACE + ", 0)");
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM fleet_jobs WHERE name = '" + SEED_JOB + "'")) {
                    if (rs.next()) {
                        c.rollback();
                        return;
                    }
                }
                // {subject, which records, grouped by}
                for (String[] level : new String[][] {{"'KEY:' || key_id", "key_id IS NOT NULL", "key_id, "},
                        {"'USER:' || user_id", "user_id IS NOT NULL", "user_id, "}, {"'GLOBAL:'", "TRUE", ""}}) {
                    // recent usage per second, for the windows; older usage summed into one row, for the total
                    s.executeUpdate("INSERT INTO limit_ledger (subject, at_ms, requests, tokens, cost_pusd, writer) "
                            + "SELECT " + level[0] + ", (ts / 1000) * 1000, COUNT(*), SUM(total_tokens), "
                            + "COALESCE(SUM(cost_pusd), 0), 'seed' FROM usage_records WHERE admitted = 1 AND ts >= "
                            + since + " AND " + level[1] + " GROUP BY " + level[2] + "ts / 1000");
                    s.executeUpdate("INSERT INTO limit_ledger (subject, at_ms, requests, tokens, cost_pusd, writer) "
                            + "SELECT " + level[0] + ", 0, 0, SUM(total_tokens), 0, 'seed' FROM usage_records "
                            + "WHERE admitted = 1 AND ts < " + since + " AND " + level[1]
                            + (level[2].isEmpty() ? "" : " GROUP BY " + level[2].replace(", ", ""))
                            + " HAVING COUNT(*) > 0");
                }
                s.executeUpdate("INSERT INTO fleet_jobs (name, last_run_at, last_instance) VALUES ('" + SEED_JOB
                        + "', " + now + ", '" + writer.replace("'", "''") + "')");
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException("cannot prepare the fleet's limit ledger: " + e.getMessage(), e);
        }
    }
}
