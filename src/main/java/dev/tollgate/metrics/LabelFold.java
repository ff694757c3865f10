package dev.tollgate.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A label whose values callers choose (model names, keys): the first {@code max} values seen get
 * series of their own, later ones are counted under {@value #OTHER}, so that a flood of made-up
 * names cannot grow the scrape, Prometheus or an OpenTelemetry backend without bound.
 */
public final class LabelFold {
    public static final String OTHER = "_other";

    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    public LabelFold(int max) {
        this.max = max;
    }

    /** The value's own label while there is room, else {@value #OTHER}. */
    public String of(String value) {
        if (seen.contains(value)) {
            return value;
        }
        synchronized (seen) {
            if (seen.size() < max) {
                seen.add(value);
                return value;
            }
        }
        return OTHER;
    }
}
