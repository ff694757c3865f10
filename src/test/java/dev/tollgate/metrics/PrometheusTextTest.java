package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static UsageRecord record(String model, int status, long prompt, long completion, Charge charge) {
        return new UsageRecord("id", Instant.EPOCH, "/v1/chat/completions", false, model, model, "openai", "openai#1",
                Caller.of(KeyFingerprint.of("sk-abcdef")), status, 40, null, new TokenUsage(prompt, completion, prompt + completion, 2, 1),
                UsageQuality.REPORTED, null, null, 1, true, charge);
    }

    @Test
    void countersSumPerLabelSetAndGaugesFollow() {
        LiveCounters c = new LiveCounters();
        c.add(record("gpt-4o", 200, 10, 5, new Charge(1_500_000, 1, 1, 1)));
        c.add(record("gpt-4o", 201, 20, 5, new Charge(2_500_000, 1, 1, 1)));
        c.add(record("gpt-4o", 502, 0, 0, null));
        String text = PrometheusText.render(c, new PrometheusText.Gauges(3, 1, 2, true));
        List<String> lines = text.lines().toList();
        assertTrue(lines.contains("tollgate_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"2xx\"} 2"), text);
        assertTrue(lines.contains("tollgate_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"5xx\"} 1"), text);
        assertTrue(lines.contains("tollgate_prompt_tokens_total{model=\"gpt-4o\",provider=\"openai\",status=\"2xx\"} 30"), text);
        assertTrue(lines.contains("tollgate_cost_usd_total{model=\"gpt-4o\",provider=\"openai\",status=\"2xx\"} 0.000004"), text);
        assertTrue(lines.contains("tollgate_latency_milliseconds_total{model=\"gpt-4o\",provider=\"openai\",status=\"2xx\"} 80"), text);
        assertTrue(lines.contains("tollgate_recorder_queue_depth 3"));
        assertTrue(lines.contains("tollgate_open_streams 2"));
        assertTrue(lines.contains("tollgate_database_up 1"));
        assertTrue(lines.contains("# TYPE tollgate_requests_total counter"));
        assertEquals(lines.stream().filter(l -> l.startsWith("# HELP")).count(),
                lines.stream().filter(l -> l.startsWith("# TYPE")).count());
    }

    @Test
    void hostileLabelValuesAreEscaped() {
        LiveCounters c = new LiveCounters();
        c.add(record("evil\"} 999\nfake_metric 1 \\", 200, 1, 1, null));
        String text = PrometheusText.render(c, new PrometheusText.Gauges(0, 0, 0, false));
        assertTrue(text.contains("model=\"evil\\\"} 999\\nfake_metric 1 \\\\\""), text);
        assertTrue(text.lines().noneMatch(l -> l.startsWith("fake_metric")), "no injected line");
        assertTrue(text.contains("tollgate_database_up 0"));
    }

    @Test
    void controlCharactersNeverReachTheScrape() {
        LiveCounters c = new LiveCounters();
        c.add(record("nul\u0000cr\rtab\t", 200, 1, 1, null));
        String text = PrometheusText.render(c, new PrometheusText.Gauges(0, 0, 0, true));
        assertTrue(text.contains("model=\"nul?cr?tab?\""), text);
        assertTrue(text.chars().noneMatch(ch -> ch < ' ' && ch != '\n'), "only newlines end lines");
    }

    @Test
    void modelLabelsStopGrowingAtTheCap() {
        LiveCounters c = new LiveCounters();
        for (int i = 0; i < LiveCounters.MAX_MODELS + 300; i++) {
            c.add(record("made-up-" + i, 404, 0, 0, null));
        }
        c.add(record("made-up-3", 404, 0, 0, null));
        String text = PrometheusText.render(c, new PrometheusText.Gauges(0, 0, 0, true));
        List<String> requests = text.lines().filter(l -> l.startsWith("tollgate_requests_total{")).toList();
        assertEquals(LiveCounters.MAX_MODELS + 1, requests.size());
        assertTrue(requests.contains("tollgate_requests_total{model=\"(other)\",provider=\"openai\",status=\"4xx\"} 300"),
                String.join("\n", requests.subList(0, 3)));
        assertTrue(requests.contains("tollgate_requests_total{model=\"made-up-3\",provider=\"openai\",status=\"4xx\"} 2"));
    }

    @Test
    void theWritersStateIsScraped() {
        String text = PrometheusText.render(new LiveCounters(), new PrometheusText.Gauges(0, 0, 0, false, 7,
                1_764_000_000, 12));
        assertTrue(text.lines().anyMatch("tollgate_recorder_write_failures_total 7"::equals), text);
        assertTrue(text.lines().anyMatch("tollgate_recorder_last_commit_timestamp_seconds 1764000000"::equals));
        assertTrue(text.lines().anyMatch("tollgate_journal_records_waiting 12"::equals));
    }
}
