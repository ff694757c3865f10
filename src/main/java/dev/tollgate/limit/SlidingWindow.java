package dev.tollgate.limit;

import java.time.Duration;
import java.util.Arrays;

/**
 * Running sums of requests, tokens and cost over a sliding window, kept in fixed time slots.
 * An amount leaves the window when the whole slot it fell in is older than the window, so it is
 * counted for between one window and one window plus one slot: never less. A burst across any
 * boundary therefore cannot exceed a limit; the price is that capacity may come back up to one
 * slot late. Memory is fixed (one cell per slot). Not thread-safe: {@link Allowance} guards it.
 */
final class SlidingWindow {
    static final int REQUESTS = 0;
    static final int TOKENS = 1;
    static final int COST = 2;
    private static final int MEASURES = 3;

    private final long lengthMillis;
    private final long slotMillis;
    private final int slots;
    private final long[] slotOfCell;
    private final long[][] cells;
    private final long[] sums = new long[MEASURES];
    private long current = Long.MIN_VALUE;

    SlidingWindow(Duration length, int slots) {
        this.lengthMillis = length.toMillis();
        this.slots = slots;
        this.slotMillis = lengthMillis / slots;
        if (slotMillis * slots != lengthMillis) {
            throw new IllegalArgumentException("the window must divide into whole-millisecond slots");
        }
        this.slotOfCell = new long[slots + 1]; // the live slots are current-slots .. current
        this.cells = new long[slots + 1][MEASURES];
        Arrays.fill(slotOfCell, Long.MIN_VALUE);
    }

    Duration length() {
        return Duration.ofMillis(lengthMillis);
    }

    long slotAt(long nowMillis) {
        return Math.floorDiv(nowMillis, slotMillis);
    }

    /** Drops the slots that have left the window by {@code nowMillis}. */
    void advance(long nowMillis) {
        long slot = slotAt(nowMillis);
        if (slot <= current) {
            return;
        }
        if (current == Long.MIN_VALUE || slot - current >= cells.length) {
            clear();
        } else {
            for (long s = current - slots; s < slot - slots; s++) {
                int cell = cell(s);
                if (slotOfCell[cell] == s) {
                    for (int m = 0; m < MEASURES; m++) {
                        sums[m] -= cells[cell][m];
                        cells[cell][m] = 0;
                    }
                    slotOfCell[cell] = Long.MIN_VALUE;
                }
            }
        }
        current = slot;
    }

    /** Empties the window, as new. */
    void clear() {
        Arrays.fill(slotOfCell, Long.MIN_VALUE);
        for (long[] c : cells) {
            Arrays.fill(c, 0);
        }
        Arrays.fill(sums, 0);
        current = Long.MIN_VALUE;
    }

    /** Adds amounts at {@code nowMillis}; returns the slot they went to. */
    long add(long nowMillis, long requests, long tokens, long cost) {
        advance(nowMillis);
        addToSlot(current, requests, tokens, cost);
        return current;
    }

    /**
     * Corrects an earlier addition (a reservation settled to what was really used): into its own
     * slot while that is still in the window, so the sums stay exact; else into the current slot.
     */
    void adjust(long nowMillis, long slot, long tokens, long cost) {
        advance(nowMillis);
        addToSlot(slot >= current - slots && slot <= current ? slot : current, 0, tokens, cost);
    }

    /** Puts history back (at start-up, from the stored records); ignored when already outside. */
    void restore(long slot, long requests, long tokens, long cost) {
        if (current != Long.MIN_VALUE && slot >= current - slots && slot <= current) {
            addToSlot(slot, requests, tokens, cost);
        }
    }

    long sum(int measure) {
        return sums[measure];
    }

    /**
     * Milliseconds from {@code nowMillis} until at least {@code needed} of a measure has left the
     * window (the oldest slots leave first); the window's length when even all of it is not enough.
     */
    long millisUntilFreed(long nowMillis, int measure, long needed) {
        advance(nowMillis);
        long freed = 0;
        for (long s = current - slots; s <= current; s++) {
            int cell = cell(s);
            if (slotOfCell[cell] == s) {
                freed += cells[cell][measure];
                if (freed >= needed) {
                    return (s + 1 + slots) * slotMillis - nowMillis;
                }
            }
        }
        return lengthMillis;
    }

    long slotMillis() {
        return slotMillis;
    }

    private void addToSlot(long slot, long requests, long tokens, long cost) {
        int cell = cell(slot);
        if (slotOfCell[cell] != slot) {
            slotOfCell[cell] = slot;
            Arrays.fill(cells[cell], 0);
        }
        cells[cell][REQUESTS] += requests;
        cells[cell][TOKENS] += tokens;
        cells[cell][COST] += cost;
        sums[REQUESTS] += requests;
        sums[TOKENS] += tokens;
        sums[COST] += cost;
    }

    private int cell(long slot) {
        return (int) Math.floorMod(slot, (long) cells.length);
    }
}
