package dev.tollgate.logs;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.json.Jsons;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A small generated request log for tests: conversations of one to four turns, each turn a call
 * that resends its history, from a vocabulary where the documented query forms all find
 * something. Calls are {@code <prefix>-<conversation>-<turn>}; every third conversation went to
 * azure, every seventh was refused with 429.
 */
final class GeneratedLog {
    private static final String[] WORDS = ("refund policy order invoice timeout retry server subscription "
            + "subscribe payment card the a of and rückerstattung délai").split(" ");

    private GeneratedLog() {
    }

    static List<LogEntry> conversations(String prefix, int count, long seed, Instant start) {
        return calls(prefix, count, seed, start).stream().map(Call::entry).toList();
    }

    /** A generated call: its log entry and its usage record. */
    record Call(LogEntry entry, UsageRecord record) {
    }

    static List<Call> calls(String prefix, int count, long seed, Instant start) {
        return calls(prefix, count, seed, start, 0);
    }

    /** @param padding words added to every message, for logs of some bulk */
    static List<Call> calls(String prefix, int count, long seed, Instant start, int padding) {
        Random random = new Random(seed);
        EntryBuilder builder = new EntryBuilder(new TollgateConfig.Logs(true, 64 * 1024, 0, 1 << 20, List.of()));
        List<Call> out = new ArrayList<>();
        Instant t = start;
        for (int conversation = 0; conversation < count; conversation++) {
            StringBuilder history = new StringBuilder();
            int turns = 1 + random.nextInt(4);
            for (int turn = 0; turn < turns; turn++) {
                history.append(history.length() == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":")
                        .append(Jsons.JSON.createValue(sentence(random, padding))).append('}');
                String answer = sentence(random, padding);
                Transcript tr = new Transcript(Optional.of(OpenAiChat.INSTANCE), 1 << 20);
                tr.request(("{\"model\":\"gpt-4o\",\"messages\":[" + history + "]}").getBytes(StandardCharsets.UTF_8));
                tr.whole(("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":"
                        + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Jsons.JSON.createValue(answer)
                        + "},\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8));
                t = t.plusSeconds(37);
                UsageRecord r = new UsageRecord(prefix + "-" + conversation + "-" + turn, t, "/v1/chat/completions", false,
                        "gpt-4o", "gpt-4o", conversation % 3 == 0 ? "azure" : "openai", "openai#1",
                        new Caller(KeyFingerprint.of("sk-generated-" + conversation % 5), "key-" + conversation % 5, null),
                        conversation % 7 == 0 ? 429 : 200, 5, null, TokenUsage.of(9, 9), UsageQuality.REPORTED, null, null,
                        1, true, null);
                out.add(new Call(builder.build(tr, r), r.withCharge(new Charge(12_000_000L * (turn + 1), 1, 2, 0))));
                history.append(",{\"role\":\"assistant\",\"content\":").append(Jsons.JSON.createValue(answer)).append('}');
            }
        }
        return out;
    }

    private static String sentence(Random random, int padding) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 4 + random.nextInt(12) + padding; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }
}
