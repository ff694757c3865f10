package dev.tollgate.translate;

import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One chat format's converters to and from {@link Chat}. A codec knows no HTTP: bodies in, bodies
 * out. Stream decoders read usage as they go, so no translated path can forget to count.
 */
public interface ChatCodec {
    /** The path below the provider's base URL where this format's chat calls for {@code model} go. */
    String path(String model, boolean stream);

    /**
     * The request's top-level fields that carry the conversation (the system prompt and the turns),
     * in order: what the request log stores once per distinct message.
     */
    List<String> conversationFields();

    Chat.Request decodeRequest(JsonObject body);

    JsonObject encodeRequest(Chat.Request request, String model);

    Chat.Response decodeResponse(JsonObject body);

    JsonObject encodeResponse(Chat.Response response, String model);

    /**
     * {@code request} (in this format) with its stable prefix marked for the provider's prompt
     * cache, where the format has such marks; as it is where the provider caches by itself.
     */
    default JsonObject cacheMarked(JsonObject request) {
        return request;
    }

    /** An error body in this format. */
    JsonObject error(int status, String message);

    /** The message of an error body in this format, if it is one. */
    String errorMessage(JsonObject body);

    StreamDecoder streamDecoder(LongSupplier estimatedPrompt);

    /**
     * Reads a stream in this format back as its client received it, for the request log: its events,
     * error and end, with nothing counted (the log takes the call's record). The stream decoder,
     * unless the format has a cheaper reading.
     */
    default StreamDecoder transcriptDecoder() {
        return streamDecoder(() -> 0);
    }

    /** @param request the client's request, for what the stream must echo (model, include_usage) */
    StreamEncoder streamEncoder(Chat.Request request, JsonObject clientBody);

    /** Reads an upstream stream in this format into canonical events, with its usage. */
    interface StreamDecoder {
        List<Chat.Event> decode(String data);

        boolean done();

        String error();

        String id();

        TokenUsage usage();

        boolean usageReported();

        /** Why the model stopped, as the upstream's events said. */
        default List<String> finishReasons() {
            return List.of();
        }
    }

    /** Writes canonical events as a stream in this format. */
    interface StreamEncoder {
        byte[] encode(List<Chat.Event> events);

        /** The closing events, with the usage of the whole answer. */
        byte[] finish(TokenUsage usage);

        byte[] error(String message, boolean timeout);
    }
}
