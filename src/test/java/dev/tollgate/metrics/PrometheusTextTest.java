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
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static UsageRecord record(String model, int status, long prompt, long completion, Charge charge) {
        return record(model, status, prompt, completion, charge, Caller.of(KeyFingerprint.of("sk-abcdef")), true);
    }

    private static UsageRecord record(String model, int status, long prompt, long completion, Charge charge, Caller caller,
                                      boolean admitted) {
        return new UsageRecord("id", Instant.EPOCH, "/v1/chat/completions", false, model, model, "openai", "openai#1",
                caller, status, 40, null, new TokenUsage(prompt, completion, prompt + completion, 2, 1),
                status == 429 ? UsageQuality.NONE : UsageQuality.REPORTED, null, null, 1, admitted, charge, null, 200);
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
        assertTrue(requests.contains("tollgate_requests_total{model=\"_other\",provider=\"openai\",status=\"4xx\"} 300"),
                String.join("\n", requests.subList(0, 3)));
        assertTrue(requests.contains("tollgate_requests_total{model=\"made-up-3\",provider=\"openai\",status=\"4xx\"} 2"));
    }

    @Test
    void genAiHistogramsFollowTheConventionsAndSumExactly() {
        LiveCounters c = new LiveCounters();
        c.add(record("gpt-4o", 200, 10, 5, null));
        c.add(record("gpt-4o", 200, 3000, 70, null));
        c.add(record("gpt-4o", 429, 0, 0, null));
        String text = PrometheusText.render(c, new PrometheusText.Gauges(0, 0, 0, true));
        List<String> lines = text.lines().toList();
        String input = "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o\","
                + "gen_ai_token_type=\"input\"";
        assertTrue(lines.contains("# TYPE gen_ai_client_token_usage histogram"), text);
        assertTrue(lines.contains("gen_ai_client_token_usage_bucket{" + input + ",le=\"16\"} 1"), text);
        assertTrue(lines.contains("gen_ai_client_token_usage_bucket{" + input + ",le=\"1024\"} 1"), text);
        assertTrue(lines.contains("gen_ai_client_token_usage_bucket{" + input + ",le=\"4096\"} 2"), text);
        assertTrue(lines.contains("gen_ai_client_token_usage_bucket{" + input + ",le=\"+Inf\"} 2"), "a call refused before the upstream has no usage to count");
        assertTrue(lines.contains("gen_ai_client_token_usage_sum{" + input + "} 3010"), text);
        assertTrue(lines.contains("gen_ai_client_token_usage_count{" + input + "} 2"), text);
        String ok = "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o\"";
        assertTrue(lines.contains("gen_ai_client_operation_duration_seconds_bucket{" + ok + ",le=\"0.04\"} 2"), text);
        assertTrue(lines.contains("gen_ai_client_operation_duration_seconds_sum{" + ok + "} 0.08"), text);
        assertTrue(lines.contains("gen_ai_client_operation_duration_seconds_count{" + ok + ",error_type=\"rate_limited\"} 1"),
                text);
        assertTrue(lines.contains("tollgate_errors_total{model=\"gpt-4o\",provider=\"openai\",type=\"rate_limited\"} 1"),
                text);
        assertTrue(lines.contains("tollgate_overhead_seconds_bucket{stream=\"false\",le=\"0.00025\"} 3"), text);
        assertTrue(lines.contains("tollgate_overhead_seconds_sum{stream=\"false\"} 0.0006"), text);
        assertTrue(lines.contains("tollgate_unpriced_requests_total{model=\"gpt-4o\",provider=\"openai\",status=\"2xx\"} 2"),
                text);
    }

    @Test
    void keysAreMaskedFoldedAndRefusedOnesShareOneSeries() {
        LiveCounters c = new LiveCounters(10, 2);
        for (String key : new String[] {"sk-key-one", "sk-key-two", "sk-key-three"}) {
            c.add(record("m", 200, 7, 3, new Charge(1_000_000, 1, 1, 1), Caller.of(KeyFingerprint.of(key)), true));
        }
        for (int i = 0; i < 50; i++) {
            c.add(record("m", 401, 0, 0, null, Caller.of(KeyFingerprint.of("sk-wrong-" + i)), false));
        }
        String text = PrometheusText.render(c, new PrometheusText.Gauges(0, 0, 0, true));
        String one = "***one (" + KeyFingerprint.of("sk-key-one").hash().substring(0, 8) + ")";
        assertTrue(text.contains("tollgate_key_requests_total{key=\"" + one + "\",status=\"2xx\"} 1"), text);
        assertTrue(text.contains("tollgate_key_tokens_total{key=\"" + one + "\",type=\"input\"} 7"), text);
        assertTrue(text.contains("tollgate_key_cost_usd_total{key=\"" + one + "\"} 0.000001"), text);
        assertTrue(text.contains("tollgate_key_requests_total{key=\"_other\",status=\"2xx\"} 1"), text);
        assertTrue(text.contains("tollgate_key_requests_total{key=\"_refused\",status=\"4xx\"} 50"), text);
        assertEquals(4, text.lines().filter(l -> l.startsWith("tollgate_key_requests_total{")).count(), text);
        assertTrue(!text.contains("sk-key-one"), "never a key in clear");
    }

    @Test
    void credentialsRefusalsAndBudgetsAreScraped() {
        PrometheusText.Gauges g = new PrometheusText.Gauges(0, 0, 0, true).with(
                List.of(new PrometheusText.Credential("openai", "openai#1", true, 0),
                        new PrometheusText.Credential("claude", "claude#1", false, 3)),
                Map.of("requests_per_minute", 4L), List.of(new PrometheusText.Budget("key:k1", "day", 2_500_000_000_000L)));
        List<String> lines = PrometheusText.render(new LiveCounters(), g).lines().toList();
        assertTrue(lines.contains("tollgate_credential_up{provider=\"openai\",credential=\"openai#1\"} 1"), lines.toString());
        assertTrue(lines.contains("tollgate_credential_up{provider=\"claude\",credential=\"claude#1\"} 0"));
        assertTrue(lines.contains("tollgate_credential_cooldowns_total{provider=\"claude\",credential=\"claude#1\"} 3"));
        assertTrue(lines.contains("tollgate_limit_refusals_total{limit=\"requests_per_minute\"} 4"));
        assertTrue(lines.contains("tollgate_budget_remaining_usd{subject=\"key:k1\",period=\"day\"} 2.5"));
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
