package dev.tollgate.usage;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The writes to {@code usage_records}: batched inserts, the row count, and retention deletes. */
public final class UsageTable {
    // ON CONFLICT makes a batch retried after an unclear failure (committed, then the connection broke) harmless
    private static final String INSERT = "INSERT INTO usage_records (id, ts, endpoint, stream, requested_model, model, "
            + "provider, credential, api_key_hash, api_key_masked, status, latency_ms, ttfb_ms, prompt_tokens, "
            + "completion_tokens, total_tokens, cached_tokens, reasoning_tokens, usage_quality, upstream_request_id, "
            + "error, attempts, cost_pusd, price_input_pusd, price_output_pusd, price_cached_pusd, user_id, key_id, admitted, "
            + "cache_write_5m_tokens, cache_write_1h_tokens, price_cache_write_5m_pusd, price_cache_write_1h_pusd, "
            + "usage_reported, instance_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            + "ON CONFLICT (id) DO NOTHING";

    private final Database db;
    private final String instanceId;

    /** @param instanceId the instance that writes, stamped on each record so a fleet's records say who served them */
    public UsageTable(Database db, String instanceId) {
        this.db = db;
        this.instanceId = instanceId;
    }

    /**
     * Inserts the batch and adds it to the rollups in one transaction: all of it lands or none of
     * it. Records that were there already (a batch retried after an unclear failure) are skipped
     * by both, so nothing is counted twice. Returns how many were new.
     */
    public int insert(List<UsageRecord> batch) throws SQLException {
        try {
            return write(batch);
        } catch (SQLException e) {
            throw new SQLException(db.explain(e), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private int write(List<UsageRecord> batch) throws SQLException {
        int[] added = new int[1];
        try (Connection c = db.connection()) {
            Transactions.run(c, tx -> {
                int[] counts;
                try (PreparedStatement p = tx.prepareStatement(INSERT)) {
                    for (UsageRecord r : batch) {
                        bind(p, r);
                        p.setString(35, instanceId);
                        p.addBatch();
                    }
                    counts = p.executeBatch();
                }
                List<UsageRecord> inserted = inserted(batch, counts);
                UsageRollups.add(tx, inserted);
                added[0] = inserted.size();
            });
        }
        return added[0];
    }

    /** The records the batch really added; a driver that does not say per row would make rollups guess, so it fails. */
    private static List<UsageRecord> inserted(List<UsageRecord> batch, int[] counts) throws SQLException {
        if (counts.length != batch.size()) {
            throw new SQLException("the driver reported " + counts.length + " counts for a batch of " + batch.size());
        }
        List<UsageRecord> out = new ArrayList<>(batch.size());
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == Statement.SUCCESS_NO_INFO) {
                throw new SQLException("the driver did not report which records were new (batch rewriting on?)");
            }
            if (counts[i] > 0) {
                out.add(batch.get(i));
            }
        }
        return out;
    }

    public long count() throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_records")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Deletes the records of every UTC day that ended by {@code cutoff}, with their rollups, in one
     * transaction; returns how many records. Whole days, so no rollup is left holding records that
     * are gone.
     */
    public int deleteBefore(Instant cutoff) throws SQLException {
        long day = UsageRollups.Grain.DAY.floor(cutoff.toEpochMilli());
        int[] deleted = new int[1];
        try (Connection c = db.connection()) {
            Transactions.run(c, tx -> {
                try (PreparedStatement p = tx.prepareStatement("DELETE FROM usage_records WHERE ts < ?")) {
                    p.setLong(1, day);
                    deleted[0] = p.executeUpdate();
                }
                UsageRollups.deleteBefore(tx, day);
            });
        }
        return deleted[0];
    }

    private static void bind(PreparedStatement p, UsageRecord r) throws SQLException {
        int i = 1;
        p.setString(i++, r.id());
        p.setLong(i++, r.timestamp().toEpochMilli());
        p.setString(i++, r.endpoint());
        p.setInt(i++, r.stream() ? 1 : 0);
        p.setString(i++, r.requestedModel());
        p.setString(i++, r.model());
        p.setString(i++, r.provider());
        p.setString(i++, r.credential());
        p.setString(i++, r.apiKey().hash());
        p.setString(i++, r.apiKey().masked());
        p.setInt(i++, r.status());
        p.setLong(i++, r.latencyMs());
        Sql.setLong(p, i++, r.ttfbMs());
        p.setLong(i++, r.tokens().prompt());
        p.setLong(i++, r.tokens().completion());
        p.setLong(i++, r.tokens().total());
        p.setLong(i++, r.tokens().cached());
        p.setLong(i++, r.tokens().reasoning());
        p.setString(i++, r.quality().label());
        p.setString(i++, r.upstreamRequestId());
        p.setString(i++, r.error());
        p.setInt(i++, r.attempts());
        Charge c = r.charge();
        Sql.setLong(p, i++, c == null ? null : c.costPicoUsd());
        Sql.setLong(p, i++, c == null ? null : c.inputPerToken());
        Sql.setLong(p, i++, c == null ? null : c.outputPerToken());
        Sql.setLong(p, i++, c == null ? null : c.cachedInputPerToken());
        p.setString(i++, r.caller().userId());
        p.setString(i++, r.caller().keyId());
        p.setInt(i++, r.admitted() ? 1 : 0);
        p.setLong(i++, r.tokens().cacheWrite5m());
        p.setLong(i++, r.tokens().cacheWrite1h());
        Sql.setLong(p, i++, c == null ? null : c.cacheWrite5mPerToken());
        Sql.setLong(p, i++, c == null ? null : c.cacheWrite1hPerToken());
        p.setString(i, r.usageReported());
    }

}
