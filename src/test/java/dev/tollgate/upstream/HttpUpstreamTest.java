package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.WireSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Calls that wait long for an upstream's headers do not each hold a thread. */
class HttpUpstreamTest {
    @Test
    void callsBeyondTheWaitingThreadsWaitWithoutOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger arrived = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            arrived.incrementAndGet();
            try {
                release.await(20, TimeUnit.SECONDS); // a model still thinking: no headers yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        HttpUpstream upstream = new HttpUpstream(Duration.ofSeconds(5), Duration.ofSeconds(30), 2);
        try {
            ProviderCredential credential = new ProviderCredential("openai", ProviderCredential.Wire.OPENAI, "openai#1",
                    "sk-up", URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"), List.of(),
                    Optional.empty(), List.of(), Map.of(), 1, false, WireSettings.None.INSTANCE, Optional.empty());
            List<CompletableFuture<UpstreamResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(upstream.send(new UpstreamRequest(credential, "/chat/completions",
                        "{}".getBytes(StandardCharsets.UTF_8), null, false, Map.of())));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (arrived.get() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(8, arrived.get(), "all eight calls reached the upstream while it held every one");
            assertTrue(waitingThreads() <= 2, "at most two threads wait for headers: " + waitingThreads());
            release.countDown();
            for (CompletableFuture<UpstreamResponse> call : calls) {
                assertEquals(200, call.get(10, TimeUnit.SECONDS).status());
            }
        } finally {
            release.countDown();
            upstream.close();
            server.stop(0);
        }
    }

    @Test
    void aCredentialWithAProxyUrlCallsThroughThatHttpProxy() throws Exception {
        List<String> seen = new ArrayList<>();
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        proxy.createContext("/", exchange -> {
            // a proxy is sent the whole URL of the upstream, and forwards; this one answers itself
            synchronized (seen) {
                seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().getFirst("Host"));
            }
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"via\":\"proxy\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        proxy.start();
        HttpUpstream upstream = new HttpUpstream(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Optional.of(URI.create("http://127.0.0.1:" + proxy.getAddress().getPort())));
        try {
            ProviderCredential credential = new ProviderCredential("openai", ProviderCredential.Wire.OPENAI, "openai#1",
                    "sk-up", URI.create("http://upstream.invalid:8080/v1"), List.of(), Optional.empty(), List.of(), Map.of(), 1,
                    false, WireSettings.None.INSTANCE, Optional.empty());
            UpstreamResponse r = upstream.send(new UpstreamRequest(credential, "/chat/completions",
                    "{}".getBytes(StandardCharsets.UTF_8), null, false, Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals(List.of("POST http://upstream.invalid:8080/v1/chat/completions host=upstream.invalid:8080"), seen);
        } finally {
            upstream.close();
            proxy.stop(0);
        }
    }

    private static long waitingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tollgate-wait-")).count();
    }
}
