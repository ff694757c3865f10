package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.translate.Chat.Message;
import dev.tollgate.translate.Chat.Role;
import dev.tollgate.translate.Chat.Stop;
import dev.tollgate.usage.TokenUsage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every codec must do, whatever its format: what it writes, it reads back as the same
 * canonical request, response, stream (events and usage) and error. A new format's codec passes
 * these before any translation test can mean anything.
 */
class CodecContractTest {
    static Stream<Named<ChatCodec>> codecs() {
        return Stream.of(OpenAiChat.INSTANCE, OpenAiResponses.INSTANCE, AnthropicMessages.INSTANCE,
                GeminiContent.INSTANCE).map(c -> Named.of(c.getClass().getSimpleName(), c));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    private static final JsonObject SCHEMA = json("{'type':'object','properties':{'city':{'type':'string'}},"
            + "'required':['city']}");

    /** Gemini's calls carry no ids: it names them call_<n>_<name>, and the request is written with those. */
    private static String callId(ChatCodec codec) {
        return codec == GeminiContent.INSTANCE ? "call_0_get_weather" : "call_1";
    }

    /** The id read from an answer without the tag Gemini's decoder adds to the ids it makes up (one per answer). */
    private static String untagged(String id) {
        return id.matches("call_\\d+_get_weather_[0-9a-z]+") ? id.substring(0, id.lastIndexOf('_')) : id;
    }

    private static List<Chat.Part> untagged(List<Chat.Part> content) {
        return content.stream().map(p -> p instanceof Chat.ToolCall c
                ? new Chat.ToolCall(untagged(c.id()), c.name(), c.arguments()) : p).toList();
    }

    private static Chat.Request request(ChatCodec codec) {
        List<Message> messages = List.of(
                new Message(Role.USER, List.of(new Chat.Text("Weather in Paris?"))),
                new Message(Role.ASSISTANT, List.of(new Chat.ToolCall(callId(codec), "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(Role.USER, List.of(new Chat.ToolResult(callId(codec), "{\"temp\":21}", false))),
                new Message(Role.ASSISTANT, List.of(new Chat.Text("21 degrees."))),
                new Message(Role.USER, List.of(new Chat.Text("And tomorrow?"))));
        boolean stops = codec != OpenAiResponses.INSTANCE; // the Responses API has no stop sequences
        return new Chat.Request(codec == GeminiContent.INSTANCE ? null : "m", "Be brief.", messages,
                List.of(new Chat.Tool("get_weather", "The weather in a city", SCHEMA)),
                new Chat.ToolChoice("auto", null), OptionalLong.of(256), Json.createValue(0.5), null,
                stops ? List.of("STOP") : List.of(), false,
                codec == AnthropicMessages.INSTANCE ? null // no structured-output field: an instruction instead
                        : new Chat.JsonSchemaOutput(codec == GeminiContent.INSTANCE ? "response" : "weather", null, SCHEMA,
                        false)); // Gemini's schema has no name
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aRequestReadsBackAsItWasWritten(ChatCodec codec) {
        Chat.Request sent = request(codec);
        Chat.Request read = codec.decodeRequest(codec.encodeRequest(sent, "m"));
        assertEquals(sent, read, codec.getClass().getSimpleName());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aResponseReadsBackAsItWasWritten(ChatCodec codec) {
        TokenUsage usage = new TokenUsage(120, 30, 150, 20, 0);
        for (Chat.Response sent : List.of(
                new Chat.Response("r-1", "m", List.of(new Chat.Text("Sunny.")), Stop.END, usage),
                new Chat.Response("r-2", "m", List.of(new Chat.ToolCall(callId(codec), "get_weather",
                        "{\"city\":\"Paris\"}")), Stop.TOOL_USE, usage))) {
            Chat.Response read = codec.decodeResponse(codec.encodeResponse(sent, "m"));
            assertEquals(sent.content(), untagged(read.content()), codec.getClass().getSimpleName());
            assertEquals(sent.stop(), read.stop(), codec.getClass().getSimpleName());
            assertEquals(sent.usage(), read.usage(), codec.getClass().getSimpleName());
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aStreamReadsBackAsTheSameEventsAndUsage(ChatCodec codec) {
        List<Chat.Event> sent = List.of(new Chat.Started("s-1", "m"), new Chat.TextDelta("Let me look. "),
                new Chat.ToolStarted(0, callId(codec), "get_weather"), new Chat.ToolArguments(0, "{\"city\":"),
                new Chat.ToolArguments(0, "\"Paris\"}"), new Chat.Stopped(Stop.TOOL_USE));
        TokenUsage usage = new TokenUsage(120, 30, 150, 20, 0);
        Chat.Request asked = request(codec).withStream(true);
        ChatCodec.StreamEncoder encoder = codec.streamEncoder(asked, codec.encodeRequest(asked, "m"));
        String wire = new String(encoder.encode(sent), StandardCharsets.UTF_8)
                + new String(encoder.finish(usage), StandardCharsets.UTF_8);
        ChatCodec.StreamDecoder decoder = codec.streamDecoder(() -> 0);
        List<Chat.Event> read = new ArrayList<>();
        for (String event : wire.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    read.addAll(decoder.decode(line.substring("data: ".length())));
                }
            }
        }
        String name = codec.getClass().getSimpleName();
        assertEquals(text(sent), text(read), name + ": text");
        assertEquals(only(sent, Chat.ToolStarted.class), only(read, Chat.ToolStarted.class).stream()
                .map(t -> new Chat.ToolStarted(t.index(), untagged(t.id()), t.name())).toList(), name + ": tool calls");
        assertEquals(arguments(sent), arguments(read), name + ": arguments");
        assertEquals(only(sent, Chat.Stopped.class), only(read, Chat.Stopped.class), name + ": stop");
        assertEquals(usage, decoder.usage(), name + ": usage");
        assertTrue(decoder.usageReported(), name);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void anErrorReadsBackWithItsMessage(ChatCodec codec) {
        JsonObject body = codec.error(429, "Slow down: 60 requests a minute.");
        assertEquals("Slow down: 60 requests a minute.", codec.errorMessage(body));
        assertTrue(codec.errorMessage(JsonValue.EMPTY_JSON_OBJECT) == null
                || codec.errorMessage(JsonValue.EMPTY_JSON_OBJECT).isEmpty());
    }

    private static String text(List<Chat.Event> events) {
        StringBuilder b = new StringBuilder();
        events.stream().filter(e -> e instanceof Chat.TextDelta).forEach(e -> b.append(((Chat.TextDelta) e).text()));
        return b.toString();
    }

    private static String arguments(List<Chat.Event> events) {
        StringBuilder b = new StringBuilder();
        events.stream().filter(e -> e instanceof Chat.ToolArguments).forEach(e -> b.append(((Chat.ToolArguments) e).json()));
        return b.toString();
    }

    private static <T> List<T> only(List<Chat.Event> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
