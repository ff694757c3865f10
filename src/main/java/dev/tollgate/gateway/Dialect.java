package dev.tollgate.gateway;

import dev.tollgate.config.ProviderCredential.AnthropicSettings;
import dev.tollgate.config.ProviderCredential.AzureSettings;
import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.route.Route;
import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.GeminiContent;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.translate.OpenAiResponses;
import dev.tollgate.translate.ReasoningMemory;
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
 * credential's wire to its dialect; everything else asks the dialect. (What the config and the
 * HTTP client need of a wire, its default base URL and its auth headers, is on the {@link Wire}.)
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
    GEMINI(GeminiContent.INSTANCE, UpstreamBody::gemini, GeminiUsage::of, GeminiUsage::text,
            (body, prompt) -> new GeminiStreamObserver(prompt)) {
        @Override
        String path(ProxyCall call, Route route) {
            if (call.operation() == Operation.EMBED_CONTENT) {
                return "/v1beta/models/" + route.upstreamModel() + ":embedContent";
            }
            if (call.operation() == Operation.BATCH_EMBED_CONTENTS) {
                return "/v1beta/models/" + route.upstreamModel() + ":batchEmbedContents";
            }
            return chatPath(route, call.stream()); // the model travels in the path
        }

        @Override
        Optional<String> countTokensPath(Operation op, String upstreamModel) {
            return Optional.of("/v1beta/models/" + upstreamModel + ":countTokens");
        }

        @Override
        UpstreamBody countTokensBody(ProxyCall call, String upstreamModel) {
            return UpstreamBody.asIs(call); // the model is in the path
        }
    },
    /** OpenAI's bodies, at the URL of the deployment that runs the model, naming the resource's API version. */
    AZURE_OPENAI(OpenAiChat.INSTANCE, UpstreamBody::of, OpenAiUsage::of, OpenAiText::of,
            (body, prompt) -> new OpenAiStreamObserver(body.clientWantsUsage(), prompt)) {
        @Override
        String path(ProxyCall call, Route route) {
            return deploymentPath(route, call.operation().path());
        }

        @Override
        String chatPath(Route route, boolean stream) {
            return deploymentPath(route, Operation.CHAT_COMPLETIONS.path());
        }

        private static String deploymentPath(Route route, String operation) {
            if (!(route.credential().settings() instanceof AzureSettings azure)) {
                throw new IllegalStateException("an Azure credential without its deployments: " + route.credential().label());
            }
            return "/openai/deployments/" + azure.deployment(route.upstreamModel()) + operation
                    + "?api-version=" + azure.apiVersion();
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
            case AZURE_OPENAI -> AZURE_OPENAI;
        };
    }

    /** Converts this format to and from the canonical chat model. */
    ChatCodec codec() {
        return codec;
    }

    /** A call whose client speaks this format, sent on as it came (only the model renamed). */
    PassThrough passThrough(ProxyCall call, Route route) {
        return new PassThrough(path(call, route), body.apply(call, route.upstreamModel()), headers(call),
                call.promptTokens(), this);
    }

    /** A chat call in {@code client}'s format, translated into this one. */
    Translated translated(ProxyCall call, Route route, Dialect client, ReasoningMemory memory) {
        boolean cache = route.credential().settings() instanceof AnthropicSettings a && a.promptCache();
        return new Translated(call, route.upstreamModel(), client.codec, codec, chatPath(route, call.stream()), memory,
                cache);
    }

    /** Where a passed-through call goes below the credential's base URL. */
    String path(ProxyCall call, Route route) {
        return call.operation().path();
    }

    /** Where a chat call translated into this format goes below the credential's base URL. */
    String chatPath(Route route, boolean stream) {
        return codec.path(route.upstreamModel(), stream);
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
