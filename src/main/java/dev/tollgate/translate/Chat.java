package dev.tollgate.translate;

import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.OptionalLong;

/**
 * The canonical chat model every format converts to and from (hub and spoke): a request, a
 * response with its usage, and the events of a stream. Only what more than one format can say.
 */
public final class Chat {
    private Chat() {
    }

    /**
     * A chat request. {@code temperature} and {@code topP} keep the client's JSON numbers so that no
     * decimal changes on the way.
     */
    public record Request(String model, String system, List<Message> messages, List<Tool> tools, ToolChoice toolChoice,
                          OptionalLong maxTokens, JsonNumber temperature, JsonNumber topP, List<String> stop,
                          boolean stream, Output output, Thinking thinking) {
        public Request {
            messages = List.copyOf(messages);
            tools = List.copyOf(tools);
            stop = List.copyOf(stop);
        }

        /** A request that asks nothing of the model's reasoning. */
        public Request(String model, String system, List<Message> messages, List<Tool> tools, ToolChoice toolChoice,
                       OptionalLong maxTokens, JsonNumber temperature, JsonNumber topP, List<String> stop,
                       boolean stream, Output output) {
            this(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, stream, output, null);
        }

        /** The same request under the name the client used (formats that carry the model in the URL). */
        public Request withModel(String name) {
            return new Request(name, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, stream,
                    output, thinking);
        }

        /** The same request, streamed or not as the endpoint says (formats that choose it by URL). */
        public Request withStream(boolean streamed) {
            return new Request(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, streamed,
                    output, thinking);
        }

        /** The same request with another history. */
        public Request withMessages(List<Message> history) {
            return new Request(model, system, history, tools, toolChoice, maxTokens, temperature, topP, stop, stream,
                    output, thinking);
        }

        /** The same request asking for this much reasoning ({@code null}: as the model does by default). */
        public Request withThinking(Thinking asked) {
            return new Request(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, stream,
                    output, asked);
        }
    }

    /**
     * How much the client asked the model to reason, as a token budget: Anthropic's
     * {@code budget_tokens} and Gemini's {@code thinkingBudget} are one; OpenAI's effort levels map
     * to budgets and back by {@link #ofEffort} and {@link #effort}. A budget of 0 turns reasoning
     * off where the model allows it.
     */
    public record Thinking(long budget) {
        /** More than any model thinks in one answer: a client's larger number is taken as this. */
        public static final long MAX_BUDGET = 1_000_000;
        public static final long MINIMAL = 1024;
        public static final long LOW = 2048;
        public static final long MEDIUM = 8192;
        public static final long HIGH = 24_576;

        public Thinking {
            budget = Math.max(0, Math.min(budget, MAX_BUDGET)); // a caller's number, kept to a sane range
        }

        /** OpenAI's {@code reasoning_effort}; null for a level it does not know (then nothing is asked). */
        public static Thinking ofEffort(String effort) {
            return switch (effort == null ? "" : effort) {
                case "none" -> new Thinking(0);
                case "minimal" -> new Thinking(MINIMAL);
                case "low" -> new Thinking(LOW);
                case "medium" -> new Thinking(MEDIUM);
                case "high", "xhigh" -> new Thinking(HIGH);
                default -> null;
            };
        }

        /** The OpenAI effort level nearest this budget. */
        public String effort() {
            if (budget <= 0) {
                return "none";
            }
            return budget <= MINIMAL ? "minimal" : budget <= LOW ? "low" : budget <= MEDIUM ? "medium" : "high";
        }
    }

    /** Structured output the client asked for; a request without one ({@code null}) is answered in text. */
    public sealed interface Output permits AnyJson, JsonSchemaOutput {
    }

    /** Any JSON object (OpenAI's {@code json_object}, Gemini's JSON mime type without a schema). */
    public record AnyJson() implements Output {
    }

    /**
     * JSON matching {@code schema} (JSON Schema). {@code name} is what OpenAI requires
     * ({@code [A-Za-z0-9_-]}, at most 64); {@code strict} only OpenAI has.
     */
    public record JsonSchemaOutput(String name, String description, JsonObject schema, boolean strict) implements Output {
        public JsonSchemaOutput {
            name = name == null || !name.matches("[A-Za-z0-9_-]{1,64}") ? "response" : name;
        }
    }

    public enum Role { USER, ASSISTANT }

    public record Message(Role role, List<Part> parts) {
        public Message {
            parts = List.copyOf(parts);
        }
    }

    /** One piece of a message. */
    public sealed interface Part permits Text, Image, ToolCall, ToolResult, Reasoning {
    }

    /** The format whose provider made a reasoning signature: only that provider can read it back. */
    public enum Origin { ANTHROPIC, GEMINI, OPENAI }

    /**
     * The model's reasoning: its text (Anthropic's thinking, Gemini's thought, a Responses summary)
     * and the opaque state that lets its provider trust it in a later turn (Anthropic's signature,
     * or its redacted thinking's data when {@code redacted}; Gemini's thought signature; OpenAI's
     * encrypted content), which goes back only to a provider of its {@code origin}. Either may be
     * empty, never null; {@code origin} is null when there is no signature.
     */
    public record Reasoning(String text, String signature, boolean redacted, Origin origin) implements Part {
        public Reasoning {
            text = text == null ? "" : text;
            signature = signature == null ? "" : signature;
            origin = signature.isEmpty() ? null : origin;
        }

        /** Whether {@code target}'s provider can take this block back with its signature. */
        public boolean signedFor(Origin target) {
            return origin == target;
        }
    }

    public record Text(String text) implements Part {
    }

    /** An image by URL, or inline: {@code mediaType} and base64 {@code data} (then {@code url} is null). */
    public record Image(String url, String mediaType, String data) implements Part {
    }

    /** The model asking for a tool; {@code arguments} is the JSON text of the input. */
    public record ToolCall(String id, String name, String arguments) implements Part {
    }

    public record ToolResult(String callId, String content, boolean error) implements Part {
    }

    public record Tool(String name, String description, JsonObject schema) {
    }

    /** {@code mode}: auto, none, any (some tool must be used), or tool ({@code name} must be used). */
    public record ToolChoice(String mode, String name) {
    }

    public enum Stop { END, MAX_TOKENS, STOP_SEQUENCE, TOOL_USE, CONTENT_FILTER }

    /** A whole answer with what it used: a response step never leaves usage behind. */
    public record Response(String id, String model, List<Part> content, Stop stop, TokenUsage usage) {
        public Response {
            content = List.copyOf(content);
        }
    }

    /** What a stream says, in order; usage is read by the decoder and travels separately. */
    public sealed interface Event permits Started, TextDelta, ToolStarted, ToolArguments, Stopped, ReasoningDelta,
            ReasoningSigned {
    }

    /** A piece of the model's reasoning text. */
    public record ReasoningDelta(String text) implements Event {
    }

    /** A block of reasoning ends with the opaque state its provider needs back (see {@link Reasoning}). */
    public record ReasoningSigned(String signature, boolean redacted, Origin origin) implements Event {
    }

    public record Started(String id, String model) implements Event {
    }

    public record TextDelta(String text) implements Event {
    }

    /** A tool call begins; {@code index} counts tool calls within the answer from 0. */
    public record ToolStarted(int index, String id, String name) implements Event {
    }

    public record ToolArguments(int index, String json) implements Event {
    }

    public record Stopped(Stop reason) implements Event {
    }
}
