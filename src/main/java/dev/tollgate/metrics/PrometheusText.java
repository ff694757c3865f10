package dev.tollgate.metrics;

import java.math.BigDecimal;
import java.util.Map;
import java.util.function.Function;

/** Renders {@link LiveCounters} and instance gauges in the Prometheus text exposition format 0.0.4. */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /**
     * Gauges about the instance, read at scrape time.
     *
     * @param databaseUp     the database answers and takes the writer's batches
     * @param lastCommitSeconds when the writer last committed a batch (Unix seconds; 0 before the first)
     * @param journalWaiting records in the journal not yet committed; -1 in buffered mode
     */
    public record Gauges(int queueDepth, long droppedRecords, int openStreams, boolean databaseUp, long writeFailures,
                         long lastCommitSeconds, long journalWaiting) {
        public Gauges(int queueDepth, long droppedRecords, int openStreams, boolean databaseUp) {
            this(queueDepth, droppedRecords, openStreams, databaseUp, 0, 0, -1);
        }
    }

    public static String render(LiveCounters counters, Gauges gauges) {
        Map<LiveCounters.Labels, LiveCounters.Sums> snapshot = counters.snapshot();
        StringBuilder out = new StringBuilder(1024);
        counter(out, snapshot, "tollgate_requests_total", "Model calls finished, by model, provider and status class.",
                s -> s.requests.sum());
        counter(out, snapshot, "tollgate_prompt_tokens_total", "Prompt tokens, cached included.", s -> s.promptTokens.sum());
        counter(out, snapshot, "tollgate_completion_tokens_total", "Completion tokens, reasoning included.",
                s -> s.completionTokens.sum());
        counter(out, snapshot, "tollgate_cached_tokens_total", "Prompt tokens served from the provider's cache.",
                s -> s.cachedTokens.sum());
        counter(out, snapshot, "tollgate_reasoning_tokens_total", "Reasoning tokens.", s -> s.reasoningTokens.sum());
        counter(out, snapshot, "tollgate_latency_milliseconds_total", "Summed request latency; divide by requests for the mean.",
                s -> s.latencyMs.sum());
        header(out, "tollgate_cost_usd_total", "counter", "Cost of priced requests in USD.");
        snapshot.forEach((labels, s) -> line(out, "tollgate_cost_usd_total", labels,
                BigDecimal.valueOf(s.costPicoUsd.sum(), 12).stripTrailingZeros().toPlainString()));
        gauge(out, "tollgate_recorder_queue_depth", "Records accepted but not yet in the database.", gauges.queueDepth());
        gauge(out, "tollgate_recorder_dropped_total", "Records lost because the memory bound was reached.",
                gauges.droppedRecords());
        gauge(out, "tollgate_open_streams", "Streams the gateway holds open now.", gauges.openStreams());
        gauge(out, "tollgate_database_up", "1 when the database answers and takes the usage writer's batches.",
                gauges.databaseUp() ? 1 : 0);
        header(out, "tollgate_recorder_write_failures_total", "counter", "Batches of usage records the database refused.");
        out.append("tollgate_recorder_write_failures_total ").append(gauges.writeFailures()).append('\n');
        gauge(out, "tollgate_recorder_last_commit_timestamp_seconds", "When the usage writer last committed a batch.",
                gauges.lastCommitSeconds());
        if (gauges.journalWaiting() >= 0) {
            gauge(out, "tollgate_journal_records_waiting", "Journaled records the database has not committed yet.",
                    gauges.journalWaiting());
        }
        return out.toString();
    }

    private static void counter(StringBuilder out, Map<LiveCounters.Labels, LiveCounters.Sums> snapshot, String name,
                                String help, Function<LiveCounters.Sums, Long> value) {
        header(out, name, "counter", help);
        snapshot.forEach((labels, s) -> line(out, name, labels, Long.toString(value.apply(s))));
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder out, String name, LiveCounters.Labels l, String value) {
        out.append(name).append("{model=\"").append(escape(l.model())).append("\",provider=\"")
                .append(escape(l.provider())).append("\",status=\"").append(l.statusClass()).append("\"} ")
                .append(value).append('\n');
    }

    /**
     * Label values escape backslash, double quote and newline, as the format requires; other control
     * characters, which the format has no escape for and scrapers trip on, become '?'.
     */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c < ' ' || c == 0x7f ? '?' : c);
            }
        }
        return out.toString();
    }
}
