package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.api.ProxyRequests;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.GeminiContent;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.translate.OpenAiResponses;
import dev.tollgate.translate.ReasoningMemory;
import dev.tollgate.translate.TranslationException;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.UsageSanity;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Translation on any request that passed the API's checks, from every client format to every
 * provider format, and on any answer an upstream could send back: a translated request, an answer in
 * the client's format, or a {@link TranslationException} (a 400) — never another exception.
 */
class TranslationFuzzTest {
    /** One memory for every input, as in the gateway: what one call leaves, another may read back. */
    private static final ReasoningMemory MEMORY = new ReasoningMemory(1_000, 1_000_000);
    private static final ProxyRequests REQUESTS = new ProxyRequests(InputLimits.defaults());
    private static final ChatCodec[] CODECS = {OpenAiChat.INSTANCE, AnthropicMessages.INSTANCE, GeminiContent.INSTANCE,
            OpenAiResponses.INSTANCE};
    private static final Operation[] CHAT = {Operation.CHAT_COMPLETIONS, Operation.MESSAGES, Operation.GENERATE_CONTENT,
            Operation.RESPONSES};

    @FuzzTest(maxDuration = "30s")
    void anyRequestTranslatesOrIsRefused(FuzzedDataProvider data) {
        int client = data.consumeInt(0, 3);
        ChatCodec upstream = data.pickValue(CODECS);
        byte[] answer = data.consumeBytes(data.consumeInt(0, 4096));
        byte[] body = data.consumeRemainingAsBytes();
        ProxyCall call;
        try {
            call = CHAT[client] == Operation.GENERATE_CONTENT
                    ? REQUESTS.parse(CHAT[client], Caller.of(KeyFingerprint.ANONYMOUS), body, Map.of(), false, "m", false)
                    : REQUESTS.parse(CHAT[client], Caller.of(KeyFingerprint.ANONYMOUS), body, Map.of(), false);
        } catch (GatewayException e) {
            return; // refused at the door: RequestFuzzTest's business
        }
        Translated t;
        try {
            t = new Translated(call, "upstream-model", CODECS[client], upstream, upstream.path("upstream-model", call.stream()),
                    MEMORY, true); // cache marks wherever the upstream has them
        } catch (TranslationException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertNotNull(t.body());
        Exchange.Answer a = t.answer(200, true, answer); // an upstream's answer never throws: a 502 at worst
        assertNotNull(a.body());
        UsageSanity.check(a.usage());
        StreamObserver stream = t.observer();
        for (String event : new String(answer, StandardCharsets.UTF_8).split("\n\n")) {
            stream.onEvent(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8), event);
        }
        UsageSanity.check(stream.usage());
        assertNotNull(stream.quality());
    }
}
