package dev.tollgate.limit;

import dev.tollgate.cost.PriceTable;
import dev.tollgate.limit.Allowance.Reservation;
import dev.tollgate.usage.UsageRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request let through the limits: its reservations, to be settled exactly once with what it
 * really used when its record is written, and the rate-limit headers for its response.
 */
public final class Permit {
    private final List<Reservation> reservations;
    private final Map<String, String> headers;
    private final Settlement settlement;
    private final PriceTable prices;
    private final AtomicBoolean settled = new AtomicBoolean();

    /** Ends a request's reservations with what it really used. */
    @FunctionalInterface
    interface Settlement {
        void settle(List<Reservation> reservations, long tokens, long costPicoUsd);
    }

    Permit(List<Reservation> reservations, Map<String, String> headers, Settlement settlement, PriceTable prices) {
        this.prices = prices;
        this.reservations = List.copyOf(reservations);
        this.headers = Map.copyOf(headers);
        this.settlement = settlement;
    }

    /** The x-ratelimit-* headers as they stood when the request was admitted; empty when nothing limits it. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Settles to the record's tokens and the cost its model's price gives them. */
    public void settle(UsageRecord record) {
        if (reservations.isEmpty()) {
            return;
        }
        UsageRecord charged = record.charge() != null ? record : prices.charge(record);
        settle(charged.tokens().total(), charged.charge() == null ? 0 : charged.charge().costPicoUsd());
    }

    /** Replaces the reservations by the real tokens and cost; later calls do nothing. */
    public void settle(long tokens, long costPicoUsd) {
        if (!reservations.isEmpty() && settled.compareAndSet(false, true)) {
            settlement.settle(reservations, tokens, costPicoUsd);
        }
    }
}
