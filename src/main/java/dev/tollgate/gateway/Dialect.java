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
import java.util.function.LongSupplier;

/**
 * One wire format as the call pipeline knows it, all in one place: its codec (translation), how a
 * call in it passes through (path, body, headers), how usage and text are read from its whole
 * answers and its streams, and where it counts tokens. {@link #of} is the one switch from a
 * credential's wire to its dialect; everything else asks the dialect. (The config's default base
 * URL and the upstream's auth headers live in their own rooms, also as exhaustive switches.)
 */
enum Dialect {
    OPENAI(OpenAiChat.INSTANCE) {
        @Override
        PassThrough passThrough(ProxyCall call, String upstreamModel) {
            return new PassThrough(call.operation().path(), UpstreamBody.of(call, upstreamModel), Map.of(),
                    call.promptTokens(), this);
        }

        @Override
        StreamObserver observer(UpstreamBody body, LongSupplier estimatedPrompt) {
            return new OpenAiStreamObserver(body.clientWantsUsage(), estimatedPrompt);
        }

        @Override
        Optional<TokenUsage> usage(JsonObject answer) {
            return OpenAiUsage.of(answer);
        }

        @Override
        String text(JsonObject answer) {
            return OpenAiText.of(answer);
        }
    },
    OPENAI_RESPONSES(OpenAiResponses.INSTANCE) {
        @Override
        PassThrough passThrough(ProxyCall call, String upstreamModel) {
            return new PassThrough(call.operation().path(), UpstreamBody.renamed(call, upstreamModel), Map.of(),
                    call.promptTokens(), this);
        }

        @Override
        StreamObserver observer(UpstreamBody body, LongSupplier estimatedPrompt) {
            return new ResponsesStreamObserver(estimatedPrompt);
        }

        @Override
        Optional<TokenUsage> usage(JsonObject answer) {
            return ResponsesUsage.of(answer);
        }

        @Override
        String text(JsonObject answer) {
            return ResponsesUsage.text(answer);
        }
    },
    ANTHROPIC(AnthropicMessages.INSTANCE) {
        @Override
        PassThrough passThrough(ProxyCall call, String upstreamModel) {
            // the client's own headers (anthropic-version, anthropic-beta) go with it
            return new PassThrough(call.operation().path(), UpstreamBody.renamed(call, upstreamModel), call.headers(),
                    call.promptTokens(), this);
        }

        @Override
        StreamObserver observer(UpstreamBody body, LongSupplier estimatedPrompt) {
            return new AnthropicStreamObserver(estimatedPrompt);
        }

        @Override
        Optional<TokenUsage> usage(JsonObject answer) {
            return AnthropicUsage.of(answer);
        }

        @Override
        String text(JsonObject answer) {
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

        @Override
        Optional<String> countTokensPath(Operation op, String upstreamModel) {
            return Optional.of(op.path() + "/count_tokens");
        }
    },
    GEMINI(GeminiContent.INSTANCE) {
        @Override
        PassThrough passThrough(ProxyCall call, String upstreamModel) {
            // the model travels in the path, the body as the client sent it
            return new PassThrough(GeminiContent.INSTANCE.path(upstreamModel, call.stream()), UpstreamBody.asIs(call),
                    Map.of(), call.promptTokens(), this);
        }

        @Override
        StreamObserver observer(UpstreamBody body, LongSupplier estimatedPrompt) {
            return new GeminiStreamObserver(estimatedPrompt);
        }

        @Override
        Optional<TokenUsage> usage(JsonObject answer) {
            return GeminiUsage.of(answer);
        }

        @Override
        String text(JsonObject answer) {
            return GeminiUsage.text(answer);
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

    Dialect(ChatCodec codec) {
        this.codec = codec;
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
    abstract PassThrough passThrough(ProxyCall call, String upstreamModel);

    /** Reads usage and text from a stream in this format as it passes. */
    abstract StreamObserver observer(UpstreamBody body, LongSupplier estimatedPrompt);

    /** The usage a whole answer in this format reports, if it does. */
    abstract Optional<TokenUsage> usage(JsonObject answer);

    /** The text of a whole answer, for the tokenizer when it reports no usage. */
    abstract String text(JsonObject answer);

    /** Where an upstream of this format counts a request's tokens; empty where it does not. */
    Optional<String> countTokensPath(Operation op, String upstreamModel) {
        return Optional.empty();
    }

    /** The body a token count is sent with. */
    UpstreamBody countTokensBody(ProxyCall call, String upstreamModel) {
        return UpstreamBody.renamed(call, upstreamModel);
    }
}
