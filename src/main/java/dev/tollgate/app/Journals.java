package dev.tollgate.app;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.usage.RecordJournal;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.sql.SQLException;
import java.util.List;
import java.util.logging.Logger;

/**
 * Start-up of the journal: the records a previous run left in it (it crashed, or the database was
 * away at shutdown) are written to the database first, then the journal opens afresh. Writing them
 * is idempotent: a record whose id is in the database already is skipped, rollups included.
 */
final class Journals {
    private static final Logger LOG = Logger.getLogger(Journals.class.getName());
    private static final int BATCH = 500;

    private Journals() {
    }

    static RecordJournal replayAndOpen(TollgateConfig.Persistence persistence, UsageTable table) {
        RecordJournal.Replayed left = RecordJournal.read(persistence.journal());
        boolean replayed = true;
        if (!left.records().isEmpty()) {
            try {
                long before = table.count();
                List<UsageRecord> records = left.records();
                for (int i = 0; i < records.size(); i += BATCH) {
                    table.insert(records.subList(i, Math.min(records.size(), i + BATCH)));
                }
                long added = table.count() - before;
                LOG.info("tollgate: usage journal replayed: " + records.size() + " record(s) in " + left.segments()
                        + " segment(s), " + added + " of them not yet in the database");
            } catch (SQLException | RuntimeException e) {
                replayed = false;
                LOG.severe("tollgate: cannot replay the usage journal in " + persistence.journal() + " ("
                        + e.getMessage() + "); its segments are kept for the next start");
            }
        }
        RecordJournal journal = RecordJournal.open(persistence.journal(), persistence.journalSync(), replayed);
        LOG.info("tollgate: durability journaled: records are journaled in " + persistence.journal()
                + " before each answer ends (synced every " + persistence.journalSync().toMillis() + " ms)");
        return journal;
    }
}
