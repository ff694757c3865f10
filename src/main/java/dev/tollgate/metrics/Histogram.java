package dev.tollgate.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A cumulative histogram over fixed bucket boundaries, in whole base units (tokens, microseconds),
 * so that its sum is exact: the token sums must equal the usage records to the token.
 */
final class Histogram {
    private final long[] bounds;
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();
    private final LongAdder count = new LongAdder();

    Histogram(long[] bounds) {
        this.bounds = bounds;
        this.counts = new LongAdder[bounds.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(long value) {
        for (int i = 0; i < bounds.length; i++) {
            if (value <= bounds[i]) {
                counts[i].increment();
                break;
            }
        }
        sum.add(value);
        count.increment();
    }

    /** How many observations were at or below each boundary, in the boundaries' order (cumulative). */
    long[] cumulative() {
        long[] out = new long[bounds.length];
        long running = 0;
        for (int i = 0; i < bounds.length; i++) {
            running += counts[i].sum();
            out[i] = running;
        }
        return out;
    }

    long[] bounds() {
        return bounds;
    }

    long sum() {
        return sum.sum();
    }

    long count() {
        return count.sum();
    }
}
