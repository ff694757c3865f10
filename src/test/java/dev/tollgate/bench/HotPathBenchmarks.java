package dev.tollgate.bench;

import dev.tollgate.translate.AnthropicMessages;
import dev.tollgate.translate.OpenAiChat;
import dev.tollgate.upstream.SseEvent;
import dev.tollgate.upstream.SseSplitter;
import dev.tollgate.usage.OpenAiStreamObserver;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH microbenchmarks of the per-request hot paths, so a regression shows without the full rig
 * ({@code sh bench/jmh.sh}): splitting an upstream stream into SSE events, reading usage out of
 * it, and translating an Anthropic request to OpenAI and the answer back. The stream is the wire
 * benchmark's own fixture (bench/fixtures/chat.sse: 20 chunks and a usage chunk).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPathBenchmarks {
    private byte[] stream;
    private List<SseEvent> framed;
    private JsonObject anthropicRequest;
    private JsonObject openAiResponse;

    @Setup
    public void load() {
        stream = read("bench/fixtures/chat.sse");
        anthropicRequest = json("{\"model\":\"claude-x\",\"max_tokens\":256,\"system\":\"You are terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"},{\"role\":\"assistant\",\"content\":\"Hi.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say something for the benchmark.\"}]}],"
                + "\"temperature\":0.2,\"stop_sequences\":[\"END\"]}");
        openAiResponse = json(new String(read("bench/fixtures/chat.json"), StandardCharsets.UTF_8));
        framed = events();
    }

    /** The stream as it arrives: 1 KiB reads split into SSE events. */
    @Benchmark
    public int sseFraming() {
        SseSplitter splitter = new SseSplitter(1 << 20);
        int events = 0;
        for (int at = 0; at < stream.length; at += 1024) {
            events += splitter.feed(ByteBuffer.wrap(stream, at, Math.min(1024, stream.length - at))).size();
        }
        return events + splitter.finish().size();
    }

    /** Usage read from every event of the (already framed) stream, as the meter does for a client that did not ask for it. */
    @Benchmark
    public long usageExtraction() {
        OpenAiStreamObserver observer = new OpenAiStreamObserver(false, () -> 12);
        for (SseEvent e : framed) {
            observer.onEvent(e.raw(), e.data());
        }
        return observer.usage().total();
    }

    /** An Anthropic client's request to an OpenAI upstream, and the answer back in Anthropic's format. */
    @Benchmark
    public JsonObject translation() {
        JsonObject upstream = OpenAiChat.INSTANCE.encodeRequest(AnthropicMessages.INSTANCE.decodeRequest(anthropicRequest),
                "gpt-x");
        if (upstream.isEmpty()) {
            throw new IllegalStateException("empty translation");
        }
        return AnthropicMessages.INSTANCE.encodeResponse(OpenAiChat.INSTANCE.decodeResponse(openAiResponse), "claude-x");
    }

    List<SseEvent> events() {
        SseSplitter splitter = new SseSplitter(1 << 20);
        List<SseEvent> out = new ArrayList<>(splitter.feed(ByteBuffer.wrap(stream)));
        out.addAll(splitter.finish());
        return out;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
