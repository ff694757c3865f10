package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tollgate.json.BoundedJson;
import dev.tollgate.upstream.SseEvent;
import dev.tollgate.upstream.SseSplitter;
import jakarta.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an upstream sends, on any bytes: the SSE splitter cut at any points, each format's stream
 * observer, and the usage readers of whole answers. None may throw (but the splitter's one bound),
 * and the usage that reaches a record is always within {@link UsageSanity}'s range.
 */
class StreamFuzzTest {
    private static final int MAX_EVENT = 64 * 1024;

    @FuzzTest(maxDuration = "30s")
    void anyStreamIsObservedWithoutFailing(FuzzedDataProvider data) {
        StreamObserver observer = switch (data.consumeInt(0, 3)) {
            case 0 -> new OpenAiStreamObserver(data.consumeBoolean(), () -> 7);
            case 1 -> new AnthropicStreamObserver(() -> 7);
            case 2 -> new GeminiStreamObserver(() -> 7);
            default -> new ResponsesStreamObserver(() -> 7);
        };
        SseSplitter splitter = new SseSplitter(MAX_EVENT);
        List<SseEvent> events = new ArrayList<>();
        try {
            while (data.remainingBytes() > 0) {
                events.addAll(splitter.feed(ByteBuffer.wrap(data.consumeBytes(data.consumeInt(1, 512)))));
            }
            events.addAll(splitter.finish());
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("larger than"), e.getMessage());
        }
        for (SseEvent e : events) {
            observer.onEvent(e.raw(), e.data());
        }
        TokenUsage usage = UsageSanity.check(observer.usage()).usage();
        assertNotNull(observer.quality());
        assertTrue(usage.prompt() >= 0 && usage.prompt() <= UsageSanity.MAX_TOKENS);
        assertTrue(usage.completion() >= 0 && usage.completion() <= UsageSanity.MAX_TOKENS);
        assertTrue(usage.cached() <= usage.prompt() && usage.reasoning() <= usage.completion());
        observer.errorEvent("cut", false);
    }

    private static final List<Function<JsonObject, Optional<TokenUsage>>> READERS = List.of(OpenAiUsage::of,
            AnthropicUsage::of, GeminiUsage::of, ResponsesUsage::of);

    @FuzzTest(maxDuration = "30s")
    void anyAnswerBodyGivesSaneUsage(@NotNull byte[] body) {
        Optional<JsonObject> json = BoundedJson.tryObject(body, BoundedJson.Bounds.UPSTREAM);
        if (json.isEmpty()) {
            return;
        }
        for (Function<JsonObject, Optional<TokenUsage>> reader : READERS) {
            reader.apply(json.get()).ifPresent(u -> {
                TokenUsage sane = UsageSanity.check(u).usage();
                assertTrue(sane.prompt() >= 0 && sane.completion() >= 0 && sane.total() >= 0);
                assertTrue(sane.total() <= 2 * UsageSanity.MAX_TOKENS);
            });
        }
        OpenAiText.of(json.get());
        GeminiUsage.text(json.get());
        ResponsesUsage.text(json.get());
    }
}
