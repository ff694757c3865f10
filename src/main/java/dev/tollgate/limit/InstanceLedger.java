package dev.tollgate.limit;

import dev.tollgate.store.StoreException;
import java.util.List;
import java.util.logging.Logger;

/**
 * The state of a lone instance: in memory, rebuilt from the stored usage records the first time a
 * subject is needed after a start, so limits survive a restart. The allowances' monitors are all
 * the exclusion it needs.
 */
final class InstanceLedger implements LimitLedger {
    private static final Logger LOG = Logger.getLogger(InstanceLedger.class.getName());
    private static final Sink NOWHERE = new Sink() {
        @Override
        public void add(Entry e) {
        }

        @Override
        public String lease(Subject s) {
            return null;
        }

        @Override
        public void release(String leaseId) {
        }
    };

    private final LimitStore store;

    /** @param store the records to rebuild from; null keeps nothing across restarts */
    InstanceLedger(LimitStore store) {
        this.store = store;
    }

    @Override
    public void open(Allowance a, long now) {
        if (store == null) {
            return;
        }
        try {
            store.restore(a, now);
        } catch (StoreException e) {
            LOG.warning("tollgate: cannot read past usage of " + a.subject.describe() + "; its limits count from now: "
                    + e.getMessage());
        }
    }

    @Override
    public <T> T exclusive(List<Allowance> involved, long now, Purpose purpose, Demand demand, Work<T> work)
            throws LimitExceeded {
        return work.run(NOWHERE, now);
    }
}
