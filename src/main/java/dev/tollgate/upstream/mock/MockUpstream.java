package dev.tollgate.upstream.mock;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.ProviderCredential.MockSettings;
import dev.tollgate.json.SseFrame;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.UpstreamRequest;
import dev.tollgate.upstream.UpstreamResponse;
import dev.tollgate.usage.TokenEstimator;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The built-in {@code mock} provider: answers in OpenAI's wire format, in-process, with
 * deterministic text of exactly {@code completion-tokens} tokens after {@code latency}, streaming
 * one token every {@code chunk-delay}. Its prompt count is the tokenizer's count of the input.
 * A documented feature for demos and trials, not a test double: the whole gateway path runs.
 */
public final class MockUpstream implements Upstream {
    /** Words that are one o200k token each after a space, so N words are N completion tokens. */
    private static final String[] WORDS = {" This", " is", " a", " gateway", " that", " counts", " every", " token",
        " and", " every", " dollar", " of", " every", " call", " it", " makes", " for", " you", " so", " the",
        " team", " can", " see", " who", " spent", " what", " on", " which", " model", " today"};
    private static final int EMBEDDING_DIMENSIONS = 8;

    private final MockSettings settings;
    private final ScheduledExecutorService timer;

    public MockUpstream(MockSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.timer = timer;
    }

    /** The text a mock completion of {@code tokens} tokens says. */
    public static String text(int tokens) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            out.append(word(i));
        }
        return out.toString();
    }

    /** The i-th word of the mock text; the first one has no leading space. */
    private static String word(int i) {
        return i == 0 ? WORDS[0].substring(1) : WORDS[i % WORDS.length];
    }

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
        JsonObject body = request.json();
        String model = body.getString("model", "mock");
        long promptTokens = TokenEstimator.prompt(body);
        String id = "mock-" + UUID.randomUUID();
        List<byte[]> chunks;
        String contentType;
        if (request.path().equals("/embeddings")) {
            chunks = List.of(bytes(embeddings(body, model, promptTokens)));
            contentType = "application/json";
        } else if (request.stream()) {
            chunks = streamChunks(request.path(), body, id, model, promptTokens);
            contentType = "text/event-stream";
        } else {
            chunks = List.of(bytes(completion(request.path(), id, model, promptTokens)));
            contentType = "application/json";
        }
        TimedPublisher publisher = new TimedPublisher(chunks, settings.latency(),
                request.stream() ? settings.chunkDelay() : Duration.ZERO, timer);
        return CompletableFuture.completedFuture(
                new UpstreamResponse(200, Optional.of(contentType), Optional.of(id), publisher));
    }

    private JsonObject completion(String path, String id, String model, long promptTokens) {
        String text = text(settings.completionTokens());
        boolean chat = path.equals("/chat/completions");
        JsonObjectBuilder choice = JSON.createObjectBuilder().add("index", 0).add("finish_reason", "stop");
        if (chat) {
            choice.add("message", JSON.createObjectBuilder().add("role", "assistant").add("content", text));
        } else {
            choice.add("text", text);
        }
        return envelope(id, chat ? "chat.completion" : "text_completion", model)
                .add("choices", JSON.createArrayBuilder().add(choice))
                .add("usage", usage(promptTokens, settings.completionTokens()))
                .build();
    }

    private List<byte[]> streamChunks(String path, JsonObject body, String id, String model, long promptTokens) {
        boolean chat = path.equals("/chat/completions");
        String object = chat ? "chat.completion.chunk" : "text_completion";
        List<byte[]> chunks = new ArrayList<>();
        int n = settings.completionTokens();
        for (int i = 0; i < n; i++) {
            JsonObjectBuilder choice = JSON.createObjectBuilder().add("index", 0);
            if (chat) {
                JsonObjectBuilder delta = JSON.createObjectBuilder().add("content", word(i));
                if (i == 0) {
                    delta.add("role", "assistant");
                }
                choice.add("delta", delta);
            } else {
                choice.add("text", word(i));
            }
            choice.add("finish_reason", i == n - 1 ? JSON.createValue("stop") : JsonValue.NULL);
            chunks.add(event(envelope(id, object, model).add("choices", JSON.createArrayBuilder().add(choice)).build()));
        }
        if (includeUsage(body)) {
            chunks.add(event(envelope(id, object, model).add("choices", JSON.createArrayBuilder())
                    .add("usage", usage(promptTokens, n)).build()));
        }
        chunks.add(SseFrame.done());
        return chunks;
    }

    private static JsonObject embeddings(JsonObject body, String model, long promptTokens) {
        List<String> inputs = new ArrayList<>();
        JsonValue input = body.get("input");
        if (input instanceof JsonString s) {
            inputs.add(s.getString());
        } else if (input != null && input.getValueType() == JsonValue.ValueType.ARRAY) {
            input.asJsonArray().forEach(v -> inputs.add(v.toString()));
        }
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (int i = 0; i < inputs.size(); i++) {
            JsonArrayBuilder vector = JSON.createArrayBuilder();
            int h = inputs.get(i).hashCode();
            for (int d = 0; d < EMBEDDING_DIMENSIONS; d++) {
                vector.add(((h >>> d) & 0xff) / 255.0);
            }
            data.add(JSON.createObjectBuilder().add("object", "embedding").add("index", i).add("embedding", vector));
        }
        return JSON.createObjectBuilder().add("object", "list").add("data", data).add("model", model)
                .add("usage", JSON.createObjectBuilder().add("prompt_tokens", promptTokens).add("total_tokens", promptTokens))
                .build();
    }

    private static boolean includeUsage(JsonObject body) {
        return body.get("stream_options") instanceof JsonObject o && o.getBoolean("include_usage", false);
    }

    private static JsonObjectBuilder envelope(String id, String object, String model) {
        return JSON.createObjectBuilder().add("id", id).add("object", object)
                .add("created", System.currentTimeMillis() / 1000).add("model", model);
    }

    private static JsonObjectBuilder usage(long prompt, long completion) {
        return JSON.createObjectBuilder().add("prompt_tokens", prompt).add("completion_tokens", completion)
                .add("total_tokens", prompt + completion);
    }

    private static byte[] event(JsonObject json) {
        return SseFrame.data(json);
    }

    private static byte[] bytes(JsonObject json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
