package dev.tollgate.metrics;

import java.util.List;
import java.util.Map;

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
     * @param credentials    every credential the router knows, and whether it takes calls now
     * @param refusals       calls refused by a limit since start, by the limit's kind
     * @param budgets        what is left of each budget the instance has seen used
     */
    public record Gauges(int queueDepth, long droppedRecords, int openStreams, boolean databaseUp, long writeFailures,
                         long lastCommitSeconds, long journalWaiting, List<Credential> credentials,
                         Map<String, Long> refusals, List<Budget> budgets) {
        public Gauges {
            credentials = List.copyOf(credentials);
            refusals = Map.copyOf(refusals);
            budgets = List.copyOf(budgets);
        }

        public Gauges(int queueDepth, long droppedRecords, int openStreams, boolean databaseUp, long writeFailures,
                      long lastCommitSeconds, long journalWaiting) {
            this(queueDepth, droppedRecords, openStreams, databaseUp, writeFailures, lastCommitSeconds, journalWaiting,
                    List.of(), Map.of(), List.of());
        }

        public Gauges(int queueDepth, long droppedRecords, int openStreams, boolean databaseUp) {
            this(queueDepth, droppedRecords, openStreams, databaseUp, 0, 0, -1);
        }

        /** The same instance figures with the router's and the limits' standing added. */
        public Gauges with(List<Credential> credentials, Map<String, Long> refusals, List<Budget> budgets) {
            return new Gauges(queueDepth, droppedRecords, openStreams, databaseUp, writeFailures, lastCommitSeconds,
                    journalWaiting, credentials, refusals, budgets);
        }
    }

    /** A credential: {@code up} when it takes calls now (not disabled, not resting); its cooldowns since start. */
    public record Credential(String provider, String label, boolean up, long cooldowns) {
    }

    /** What is left of one budget: {@code subject} as the admin API names it, {@code period} day or month. */
    public record Budget(String subject, String period, long remainingPicoUsd) {
    }

    public static String render(LiveCounters counters, Gauges gauges) {
        StringBuilder out = new StringBuilder(4096);
        counters.families().forEach(f -> f.render(out));
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
        standing(out, gauges);
        return out.toString();
    }

    /** Credentials, limit refusals and budgets: read from the router and the limits at scrape time. */
    private static void standing(StringBuilder out, Gauges gauges) {
        header(out, "tollgate_credential_up", "gauge", "1 when the credential takes calls now; 0 when disabled or resting.");
        gauges.credentials().forEach(c -> out.append("tollgate_credential_up{provider=\"").append(escape(c.provider()))
                .append("\",credential=\"").append(escape(c.label())).append("\"} ").append(c.up() ? 1 : 0).append('\n'));
        header(out, "tollgate_credential_cooldowns_total", "counter", "Times a credential was put to rest since start.");
        gauges.credentials().forEach(c -> out.append("tollgate_credential_cooldowns_total{provider=\"")
                .append(escape(c.provider())).append("\",credential=\"").append(escape(c.label())).append("\"} ")
                .append(c.cooldowns()).append('\n'));
        header(out, "tollgate_limit_refusals_total", "counter", "Calls refused by a limit or budget, by the limit's kind.");
        gauges.refusals().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out
                .append("tollgate_limit_refusals_total{limit=\"").append(escape(e.getKey())).append("\"} ")
                .append(e.getValue()).append('\n'));
        header(out, "tollgate_budget_remaining_usd", "gauge", "What is left of a budget in its current window, in USD.");
        gauges.budgets().forEach(b -> out.append("tollgate_budget_remaining_usd{subject=\"").append(escape(b.subject()))
                .append("\",period=\"").append(escape(b.period())).append("\"} ")
                .append(Family.decimal(b.remainingPicoUsd(), 12)).append('\n'));
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
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
