package dev.tollgate.metrics;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One metric name and its series, keyed by their label values in the family's label order, and how
 * the family is written in the Prometheus text format. Values are whole base units; {@code scale}
 * moves the decimal point when they are written (pico-USD as USD, microseconds as seconds).
 */
abstract sealed class Family<T> permits Family.Counter, Family.Histograms {
    private static final Comparator<List<String>> ORDER = (a, b) -> String.join("\0", a).compareTo(String.join("\0", b));

    final String name;
    private final String help;
    private final List<String> labelNames;
    final int scale;
    private final Supplier<T> fresh;
    private final Map<List<String>, T> series = new ConcurrentHashMap<>();

    private Family(String name, String help, List<String> labelNames, int scale, Supplier<T> fresh) {
        this.name = name;
        this.help = help;
        this.labelNames = List.copyOf(labelNames);
        this.scale = scale;
        this.fresh = fresh;
    }

    /** The series of these label values, made on first use. */
    T at(String... values) {
        return series.computeIfAbsent(Arrays.asList(values), k -> fresh.get());
    }

    /** How many series the family has. */
    int size() {
        return series.size();
    }

    void render(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type()).append('\n');
        Map<List<String>, T> sorted = new TreeMap<>(ORDER);
        sorted.putAll(series);
        sorted.forEach((values, value) -> renderSeries(out, values, value));
    }

    abstract String type();

    abstract void renderSeries(StringBuilder out, List<String> values, T value);

    /** {@code name{a="x",b="y"}}; an empty value is left out, which Prometheus reads the same as absent. */
    void sample(StringBuilder out, String metric, List<String> values, String extraName, String extraValue) {
        out.append(metric);
        char sep = '{';
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != null && !values.get(i).isEmpty()) {
                out.append(sep).append(labelNames.get(i)).append("=\"").append(PrometheusText.escape(values.get(i)))
                        .append('"');
                sep = ',';
            }
        }
        if (extraName != null) {
            out.append(sep).append(extraName).append("=\"").append(extraValue).append('"');
            sep = ',';
        }
        if (sep == ',') {
            out.append('}');
        }
        out.append(' ');
    }

    static String decimal(long value, int scale) {
        return scale == 0 ? Long.toString(value) : BigDecimal.valueOf(value, scale).stripTrailingZeros().toPlainString();
    }

    /** A counter of whole units. */
    static final class Counter extends Family<LongAdder> {
        Counter(String name, String help, int scale, String... labelNames) {
            super(name, help, List.of(labelNames), scale, LongAdder::new);
        }

        void add(long amount, String... values) {
            at(values).add(amount);
        }

        @Override
        String type() {
            return "counter";
        }

        @Override
        void renderSeries(StringBuilder out, List<String> values, LongAdder value) {
            sample(out, name, values, null, null);
            out.append(decimal(value.sum(), scale)).append('\n');
        }
    }

    /** A histogram over fixed boundaries; Prometheus sees {@code _bucket}, {@code _sum} and {@code _count}. */
    static final class Histograms extends Family<Histogram> {
        Histograms(String name, String help, long[] bounds, int scale, String... labelNames) {
            super(name, help, List.of(labelNames), scale, () -> new Histogram(bounds));
        }

        void observe(long value, String... values) {
            at(values).observe(value);
        }

        @Override
        String type() {
            return "histogram";
        }

        @Override
        void renderSeries(StringBuilder out, List<String> values, Histogram h) {
            long[] bounds = h.bounds();
            long[] cumulative = h.cumulative();
            long count = h.count(); // read before the buckets could be behind it: +Inf is never below a bucket
            for (int i = 0; i < bounds.length; i++) {
                sample(out, name + "_bucket", values, "le", decimal(bounds[i], scale));
                out.append(Math.min(cumulative[i], count)).append('\n');
            }
            sample(out, name + "_bucket", values, "le", "+Inf");
            out.append(Math.max(count, cumulative[bounds.length - 1])).append('\n');
            sample(out, name + "_sum", values, null, null);
            out.append(decimal(h.sum(), scale)).append('\n');
            sample(out, name + "_count", values, null, null);
            out.append(Math.max(count, cumulative[bounds.length - 1])).append('\n');
        }
    }
}
