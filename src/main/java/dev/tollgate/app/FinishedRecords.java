package dev.tollgate.app;

import dev.tollgate.cost.PriceTable;
import dev.tollgate.usage.RecordJournal;
import dev.tollgate.usage.UsageRecord;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where every finished record goes: priced, then handed to the recorder, then to the live views
 * (Prometheus counters, the dashboard's feed). Each step is guarded on its own, so a failure in a
 * view can never cost the record, and one in pricing leaves it written unpriced rather than lost.
 */
final class FinishedRecords implements Consumer<UsageRecord> {
    private static final Logger LOG = Logger.getLogger(FinishedRecords.class.getName());

    private final PriceTable prices;
    private final Consumer<UsageRecord> recorder;
    private final List<Consumer<UsageRecord>> views;

    /** @param recorder the recorder, or nothing when usage statistics are off */
    FinishedRecords(PriceTable prices, Consumer<UsageRecord> recorder, List<Consumer<UsageRecord>> views) {
        this.prices = prices;
        this.recorder = recorder;
        this.views = List.copyOf(views);
    }

    /** Journaled mode: each record, priced as it will be written, goes to the journal; never throws. */
    static Consumer<UsageRecord> journal(PriceTable prices, RecordJournal journal) {
        return record -> {
            try {
                journal.append(prices.charge(record));
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "tollgate: cannot journal record " + record.id(), e);
            }
        };
    }

    @Override
    public void accept(UsageRecord record) {
        UsageRecord charged = record;
        try {
            charged = prices.charge(record);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "tollgate: cannot price record " + record.id() + "; it is written without a cost", e);
        }
        recorder.accept(charged);
        for (Consumer<UsageRecord> view : views) {
            try {
                view.accept(charged);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "tollgate: a live view failed on record " + record.id(), e);
            }
        }
    }
}
