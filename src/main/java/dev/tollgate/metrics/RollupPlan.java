package dev.tollgate.metrics;

import dev.tollgate.usage.UsageRollups.Grain;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each part of a period [from, to) is read from: the partial hours at its edges from the
 * records themselves, whole hours from the hourly rollups, and whole days from the daily ones
 * unless {@code hourly} (an hourly series needs hours). Together the spans cover the period
 * exactly once.
 */
record RollupPlan(List<Span> spans) {

    /** [fromMs, toMs) read from the rollups of {@code grain}, or from the records when it is null. */
    record Span(long fromMs, long toMs, Grain grain) {
        boolean records() {
            return grain == null;
        }
    }

    /** The whole period from the records. */
    static RollupPlan records(long fromMs, long toMs) {
        return new RollupPlan(List.of(new Span(fromMs, toMs, null)));
    }

    static RollupPlan of(long fromMs, long toMs, boolean hourly) {
        List<Span> spans = new ArrayList<>();
        long h1 = ceil(fromMs, Grain.HOUR);
        long h2 = Grain.HOUR.floor(toMs);
        if (h1 >= h2) {
            spans.add(new Span(fromMs, toMs, null));
            return new RollupPlan(spans);
        }
        add(spans, fromMs, h1, null);
        long d1 = ceil(h1, Grain.DAY);
        long d2 = Grain.DAY.floor(h2);
        if (hourly || d1 >= d2) {
            add(spans, h1, h2, Grain.HOUR);
        } else {
            add(spans, h1, d1, Grain.HOUR);
            add(spans, d1, d2, Grain.DAY);
            add(spans, d2, h2, Grain.HOUR);
        }
        add(spans, h2, toMs, null);
        return new RollupPlan(spans);
    }

    private static void add(List<Span> spans, long from, long to, Grain grain) {
        if (from < to) {
            spans.add(new Span(from, to, grain));
        }
    }

    private static long ceil(long ms, Grain g) {
        return g.floor(ms + g.widthMs() - 1);
    }
}
