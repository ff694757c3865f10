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
                          boolean stream, Output output) {
        public Request {
            messages = List.copyOf(messages);
            tools = List.copyOf(tools);
            stop = List.copyOf(stop);
        }

        /** The same request under the name the client used (formats that carry the model in the URL). */
        public Request withModel(String name) {
            return new Request(name, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, stream,
                    output);
        }

        /** The same request, streamed or not as the endpoint says (formats that choose it by URL). */
        public Request withStream(boolean streamed) {
            return new Request(model, system, messages, tools, toolChoice, maxTokens, temperature, topP, stop, streamed,
                    output);
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
    public sealed interface Part permits Text, Image, ToolCall, ToolResult {
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
    public sealed interface Event permits Started, TextDelta, ToolStarted, ToolArguments, Stopped {
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
