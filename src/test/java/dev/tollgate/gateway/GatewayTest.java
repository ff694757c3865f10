package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.ClientKeys;
import dev.tollgate.api.ProxyRequests;
import dev.tollgate.config.ConfigParser;
import dev.tollgate.config.SecretDecryptor;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.route.Router;
import dev.tollgate.store.Database;
import dev.tollgate.upstream.UpstreamRequest;
import dev.tollgate.upstream.UpstreamResponse;
import dev.tollgate.usage.Metering;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call pipeline alone, with upstreams that answer from memory: routing, retry to the next
 * credential, translation and the usage that reaches the meter. No HTTP, no container.
 */
class GatewayTest {
    private static final String KEY = "sk-gateway-test";

    @TempDir
    Path dir;
    private Database database;
    private ScheduledExecutorService timer;
    private Gateway gateway;
    private ProxyRequests requests;
    /** What the fake upstream was sent, in order. */
    private final List<UpstreamRequest> sent = new CopyOnWriteArrayList<>();
    /** How the fake upstream answers, by credential label. */
    private Function<UpstreamRequest, UpstreamResponse> answers;

    @BeforeEach
    void start() {
        TollgateConfig config = new ConfigParser(new SecretDecryptor(Optional.empty()), w -> { })
                .parse("api-keys: [" + KEY + "]\n"
                        + "openai-api-key:\n"
                        + "  - {api-key: sk-one, base-url: 'http://one.invalid/v1', models: [{id: m}]}\n"
                        + "  - {api-key: sk-two, base-url: 'http://two.invalid/v1', models: [{id: m}]}\n"
                        + "claude-api-key:\n"
                        + "  - {api-key: sk-ant, base-url: 'http://claude.invalid', models: [{id: claude-m}]}\n"
                        + "routing: {strategy: fill-first}\n", Optional.empty(), dir.resolve("t.db"));
        database = Database.open(dir.resolve("t.db"), false);
        database.migrate();
        timer = Executors.newSingleThreadScheduledExecutor();
        Clock clock = Clock.systemUTC();
        Cooldowns cooldowns = new Cooldowns(config.routing().cooldown(), config.routing().maxCooldown(), clock);
        PriceTable prices = PriceTable.withOverrides(config.modelPrices());
        gateway = new Gateway(new ClientKeys(config.apiKeys(), database, clock),
                new RateLimiter(database, "test", config.quota().global(), config.quota().reserveOutputTokens(), prices,
                        clock),
                new Router(config.credentials(), config.routing().strategy(), cooldowns, config.modelMappings()),
                cooldowns, new PayloadRules(config.payloadRules()), credential -> request -> {
                    sent.add(request);
                    return CompletableFuture.completedFuture(answers.apply(request));
                }, config.timeouts(), config.input(), 1, timer);
        requests = new ProxyRequests(config.input());
    }

    @AfterEach
    void stop() throws Exception {
        timer.shutdownNow();
        assertTrue(timer.awaitTermination(5, TimeUnit.SECONDS));
        database.close();
    }

    private static UpstreamResponse json(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Flow.Publisher<List<ByteBuffer>> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void request(long n) {
                if (done.compareAndSet(false, true)) {
                    subscriber.onNext(List.of(ByteBuffer.wrap(bytes)));
                    subscriber.onComplete();
                }
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
        return new UpstreamResponse(status, Optional.of("application/json"), Optional.empty(), publisher);
    }

    /** A whole OpenAI chat call for {@code model}, through the gateway; the meter's record and the reply. */
    private record Outcome(Reply.Buffered reply, UsageRecord record) {
    }

    private Outcome call(String model) {
        Metering meter = new Metering("/v1/chat/completions", Instant.now(), System.nanoTime());
        meter.modelCall();
        Caller caller = gateway.admit(Optional.of(KEY), meter);
        ProxyCall call = requests.parse(Operation.CHAT_COMPLETIONS, caller, ("{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").getBytes(StandardCharsets.UTF_8),
                Map.of(), false);
        Reply.Buffered reply = (Reply.Buffered) gateway.call(call, meter).toCompletableFuture().join();
        AtomicReference<UsageRecord> record = new AtomicReference<>();
        meter.complete(reply.status(), System.nanoTime(), record::set);
        return new Outcome(reply, record.get());
    }

    private static JsonObject body(Reply.Buffered reply) {
        return Json.createReader(new StringReader(new String(reply.body(), StandardCharsets.UTF_8))).readObject();
    }

    private static final String OPENAI_ANSWER = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":2,\"total_tokens\":13}}";

    @Test
    void aServerErrorMovesTheCallToTheNextCredentialAndItsUsageIsRecorded() {
        answers = r -> r.credential().apiKey().equals("sk-one")
                ? json(500, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")
                : json(200, OPENAI_ANSWER);
        Outcome o = call("m");
        assertEquals(200, o.reply().status());
        assertEquals(List.of("sk-one", "sk-two"), sent.stream().map(r -> r.credential().apiKey()).toList());
        assertEquals("Hi", body(o.reply()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertNotNull(o.record());
        assertEquals(UsageQuality.REPORTED, o.record().quality());
        assertEquals(11, o.record().tokens().prompt());
        assertEquals(2, o.record().tokens().completion());
        assertEquals("/chat/completions", sent.get(1).path());
        assertEquals(2, o.record().attempts());
    }

    @Test
    void aCallToAnotherFormatIsTranslatedBothWays() {
        answers = r -> json(200, "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-m\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Bonjour\"}],\"stop_reason\":\"end_turn\","
                + "\"usage\":{\"input_tokens\":7,\"output_tokens\":3,\"cache_read_input_tokens\":2}}");
        Outcome o = call("claude-m");
        UpstreamRequest toClaude = sent.get(0);
        assertEquals("/v1/messages", toClaude.path());
        assertEquals(4096, toClaude.json().getInt("max_tokens"), "Anthropic requires one");
        JsonObject answer = body(o.reply());
        assertEquals("Bonjour", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals(9, answer.getJsonObject("usage").getInt("prompt_tokens"), "input + cache reads");
        assertEquals(9, o.record().tokens().prompt());
        assertEquals(2, o.record().tokens().cached());
        assertEquals("anthropic", o.record().provider());
    }

    @Test
    void anUnknownModelIsRefusedWithoutAnUpstreamCall() {
        answers = r -> json(200, OPENAI_ANSWER);
        GatewayException refusal = assertThrows(GatewayException.class, () -> call("no-such-model")); // before any I/O
        assertEquals(Failure.MODEL_NOT_FOUND, refusal.failure());
        assertTrue(sent.isEmpty());
    }
}
