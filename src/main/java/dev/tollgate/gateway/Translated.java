package dev.tollgate.gateway;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.translate.Chat;
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.ReasoningMemory;
import dev.tollgate.translate.TranslatedStream;
import dev.tollgate.translate.TranslationException;
import dev.tollgate.usage.FinishReasons;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenEstimator;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A call whose client speaks another format than the upstream: the request goes through the
 * canonical model into the upstream's format, and the answer (errors and streams included) back
 * into the client's.
 */
final class Translated implements Exchange {
    private final ChatCodec client;
    private final ChatCodec upstream;
    private final Chat.Request request;
    private final JsonObject clientBody;
    private final JsonObject json;
    private final byte[] bytes;
    private final LongSupplier estimatedPrompt;
    private final String path;
    private final ReasoningMemory memory;
    private final String caller;

    /** Made by the upstream's {@link Dialect}, which knows where its chat calls go. */
    /** @param cache mark the request's stable prefix for the provider's prompt cache (see {@link ChatCodec#cacheMarked}) */
    Translated(ProxyCall call, String upstreamModel, ChatCodec client, ChatCodec upstream, String path,
               ReasoningMemory memory, boolean cache) {
        this.client = client;
        this.upstream = upstream;
        this.clientBody = call.body();
        this.memory = memory;
        this.caller = call.caller().key().hash();
        this.request = memory.restore(caller, client.decodeRequest(call.body()).withModel(call.model())
                .withStream(call.stream()));
        JsonObject encoded = upstream.encodeRequest(request, upstreamModel);
        this.json = cache ? upstream.cacheMarked(encoded) : encoded;
        this.bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        this.estimatedPrompt = call.promptTokens();
        this.path = path;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public byte[] body() {
        return bytes;
    }

    @Override
    public JsonObject json() {
        return json;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of();
    }

    @Override
    public StreamObserver observer() {
        return new TranslatedStream(upstream.streamDecoder(estimatedPrompt), client.streamEncoder(request, clientBody),
                memory.listener(caller));
    }

    @Override
    public Answer answer(int status, boolean ok, byte[] body) {
        JsonObject parsed = BoundedJson.tryObject(body, BoundedJson.Bounds.UPSTREAM).orElse(null);
        if (parsed == null) {
            String message = ok ? "the upstream answered with a body that is not JSON" : "upstream answered " + status;
            return new Answer(ok ? 502 : status, bytes(client.error(ok ? 502 : status, message)), TokenUsage.NONE,
                    ok ? UsageQuality.PARTIAL : UsageQuality.NONE, null, message);
        }
        if (!ok) {
            String message = upstream.errorMessage(parsed);
            String said = message != null ? message : "upstream answered " + status;
            return new Answer(status, bytes(client.error(status, said)), TokenUsage.NONE, UsageQuality.NONE, null,
                    "upstream answered " + status + ": " + said);
        }
        Chat.Response r;
        try {
            r = upstream.decodeResponse(parsed);
        } catch (TranslationException e) { // the upstream's answer is not what its format says: not the caller's fault
            String message = "the upstream's answer could not be read: " + e.getMessage();
            return new Answer(502, bytes(client.error(502, message)), TokenUsage.of(estimatedPrompt.getAsLong(), 0),
                    UsageQuality.PARTIAL, null, message);
        }
        TokenUsage usage = r.usage();
        UsageQuality quality = UsageQuality.REPORTED;
        if (usage == null) {
            StringBuilder text = new StringBuilder();
            r.content().forEach(p -> text.append(p instanceof Chat.Text t ? t.text()
                    : p instanceof Chat.ToolCall c ? c.arguments() : ""));
            usage = TokenUsage.of(estimatedPrompt.getAsLong(), TokenEstimator.count(text.toString()));
            quality = UsageQuality.ESTIMATED;
            r = new Chat.Response(r.id(), r.model(), r.content(), r.stop(), usage);
        }
        memory.remember(caller, r.content());
        List<String> finished = new ArrayList<>(1);
        FinishReasons.collect(parsed, finished);
        return new Answer(status, bytes(client.encodeResponse(r, request.model())), usage, quality, r.id(), null, finished);
    }

    private static byte[] bytes(JsonObject o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }
}
