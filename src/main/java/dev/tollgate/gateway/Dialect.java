package dev.tollgate.gateway;

import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.GeminiContent;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.translate.OpenAiResponses;
import dev.tollgate.usage.AnthropicStreamObserver;
import dev.tollgate.usage.AnthropicUsage;
import dev.tollgate.usage.GeminiStreamObserver;
import dev.tollgate.usage.GeminiUsage;
import dev.tollgate.usage.OpenAiStreamObserver;
import dev.tollgate.usage.OpenAiText;
import dev.tollgate.usage.OpenAiUsage;
import dev.tollgate.usage.ResponsesStreamObserver;
import dev.tollgate.usage.ResponsesUsage;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One wire format as the call pipeline knows it, all in one place: its codec (translation), how a
 * call in it passes through (path, body, headers), how usage and text are read from its whole
 * answers and its streams, and where it counts tokens. {@link #of} is the one switch from a
 * credential's wire to its dialect; everything else asks the dialect. (The config's default base
 * URL and the upstream's auth headers live in their own rooms, also as exhaustive switches.)
 */
enum Dialect {
    OPENAI(OpenAiChat.INSTANCE, UpstreamBody::of, OpenAiUsage::of, OpenAiText::of,
            (body, prompt) -> new OpenAiStreamObserver(body.clientWantsUsage(), prompt)),
    OPENAI_RESPONSES(OpenAiResponses.INSTANCE, UpstreamBody::renamed, ResponsesUsage::of, ResponsesUsage::text,
            (body, prompt) -> new ResponsesStreamObserver(prompt)),
    ANTHROPIC(AnthropicMessages.INSTANCE, UpstreamBody::renamed, AnthropicUsage::of, Dialect::anthropicText,
            (body, prompt) -> new AnthropicStreamObserver(prompt)) {
        @Override
        Map<String, String> headers(ProxyCall call) {
            return call.headers(); // the client's own anthropic-version and anthropic-beta go with it
        }

        @Override
        Optional<String> countTokensPath(Operation op, String upstreamModel) {
            return Optional.of(op.path() + "/count_tokens");
        }
    },
    GEMINI(GeminiContent.INSTANCE, (call, model) -> UpstreamBody.asIs(call), GeminiUsage::of, GeminiUsage::text,
            (body, prompt) -> new GeminiStreamObserver(prompt)) {
        @Override
        String path(ProxyCall call, String upstreamModel) {
            return GeminiContent.INSTANCE.path(upstreamModel, call.stream()); // the model travels in the path
        }

        @Override
        Optional<String> countTokensPath(Operation op, String upstreamModel) {
            return Optional.of("/v1beta/models/" + upstreamModel + ":countTokens");
        }

        @Override
        UpstreamBody countTokensBody(ProxyCall call, String upstreamModel) {
            return UpstreamBody.asIs(call); // the model is in the path
        }
    };

    private final ChatCodec codec;
    private final BiFunction<ProxyCall, String, UpstreamBody> body;
    private final Function<JsonObject, Optional<TokenUsage>> usage;
    private final Function<JsonObject, String> text;
    private final BiFunction<UpstreamBody, LongSupplier, StreamObserver> observer;

    /**
     * @param body     the body a passed-through call goes with, for the upstream model
     * @param usage    the usage a whole answer reports, if it does
     * @param text     the text of a whole answer, for the tokenizer when it reports no usage
     * @param observer what reads usage and text from a stream as it passes
     */
    Dialect(ChatCodec codec, BiFunction<ProxyCall, String, UpstreamBody> body,
            Function<JsonObject, Optional<TokenUsage>> usage, Function<JsonObject, String> text,
            BiFunction<UpstreamBody, LongSupplier, StreamObserver> observer) {
        this.codec = codec;
        this.body = body;
        this.usage = usage;
        this.text = text;
        this.observer = observer;
    }

    /** The dialect a credential's wire speaks: the one place a new wire is told apart. */
    static Dialect of(Wire wire) {
        return switch (wire) {
            case OPENAI, MOCK -> OPENAI;
            case OPENAI_RESPONSES -> OPENAI_RESPONSES;
            case ANTHROPIC -> ANTHROPIC;
            case GEMINI -> GEMINI;
        };
    }

    /** Converts this format to and from the canonical chat model. */
    ChatCodec codec() {
        return codec;
    }

    /** A call whose client speaks this format, sent on as it came (only the model renamed). */
    PassThrough passThrough(ProxyCall call, String upstreamModel) {
        return new PassThrough(path(call, upstreamModel), body.apply(call, upstreamModel), headers(call),
                call.promptTokens(), this);
    }

    /** Where a passed-through call goes below the credential's base URL. */
    String path(ProxyCall call, String upstreamModel) {
        return call.operation().path();
    }

    /** The client's headers a passed-through call takes along. */
    Map<String, String> headers(ProxyCall call) {
        return Map.of();
    }

    StreamObserver observer(UpstreamBody passed, LongSupplier estimatedPrompt) {
        return observer.apply(passed, estimatedPrompt);
    }

    Optional<TokenUsage> usage(JsonObject answer) {
        return usage.apply(answer);
    }

    String text(JsonObject answer) {
        return text.apply(answer);
    }

    /** Where an upstream of this format counts a request's tokens; empty where it does not. */
    Optional<String> countTokensPath(Operation op, String upstreamModel) {
        return Optional.empty();
    }

    /** The body a token count is sent with. */
    UpstreamBody countTokensBody(ProxyCall call, String upstreamModel) {
        return UpstreamBody.renamed(call, upstreamModel);
    }

    private static String anthropicText(JsonObject answer) {
        StringBuilder b = new StringBuilder();
        if (answer.get("content") instanceof JsonArray blocks) {
            for (JsonValue v : blocks) {
                if (v instanceof JsonObject o) {
                    b.append(o.getString("text", ""));
                }
            }
        }
        return b.toString();
    }
}
