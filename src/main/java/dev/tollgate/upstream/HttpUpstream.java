package dev.tollgate.upstream;

import dev.tollgate.config.ProviderCredential;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls providers over HTTP with the JDK's HttpClient, authenticated as each wire expects; the
 * client's own key never goes upstream.
 */
public final class HttpUpstream implements Upstream, AutoCloseable {
    /** At most this many threads wait for upstream headers at once; calls beyond them wait without one. */
    static final int WAITING_THREADS = 128;

    private final HttpClient client;
    private final ExecutorService executor;
    private final ExecutorService waiters;
    private final Duration requestTimeout;

    public HttpUpstream(Duration connectTimeout, Duration requestTimeout) {
        this(connectTimeout, requestTimeout, Optional.empty());
    }

    /** @param proxy an HTTP proxy every call goes through ({@code proxy-url}); https is tunnelled through it */
    public HttpUpstream(Duration connectTimeout, Duration requestTimeout, Optional<URI> proxy) {
        this(connectTimeout, requestTimeout, WAITING_THREADS, proxy);
    }

    HttpUpstream(Duration connectTimeout, Duration requestTimeout, int waitingThreads) {
        this(connectTimeout, requestTimeout, waitingThreads, Optional.empty());
    }

    private HttpUpstream(Duration connectTimeout, Duration requestTimeout, int waitingThreads, Optional<URI> proxy) {
        this.executor = Executors.newCachedThreadPool(daemons("tollgate-upstream-"));
        this.waiters = new ThreadPoolExecutor(0, waitingThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemons("tollgate-wait-"));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        proxy.ifPresent(p -> builder.proxy(ProxySelector.of(
                InetSocketAddress.createUnresolved(p.getHost(), p.getPort() < 0 ? 80 : p.getPort()))));
        this.client = builder.build();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
        ProviderCredential credential = request.credential();
        URI uri = URI.create(credential.baseUrl() + request.path());
        HttpRequest.Builder http = HttpRequest.newBuilder(uri)
                // cleartext upstreams speak HTTP/1.1: no h2c upgrade dance; TLS ones negotiate HTTP/2 by ALPN
                .version("http".equals(uri.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", request.stream() ? "text/event-stream" : "application/json")
                .method(request.method(), request.body().length == 0 && !"POST".equals(request.method())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        credential.wire().authHeaders(credential.apiKey()).forEach(http::header);
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            http.setHeader(h.getKey(), h.getValue());
        }
        for (Map.Entry<String, String> h : credential.headers().entrySet()) {
            http.setHeader(h.getKey(), h.getValue());
        }
        HttpRequest built = http.build();
        return exchange(built).thenApply(r -> new UpstreamResponse(r.statusCode(),
                r.headers().firstValue("content-type"),
                r.headers().firstValue("x-request-id").or(() -> r.headers().firstValue("request-id")),
                r.headers().firstValue("retry-after"),
                r.body()));
    }

    /**
     * The blocking send() on a pooled thread while one is free, else sendAsync(). JDK 17's sendAsync
     * completes every response through CompletableFuture's default executor, which where the common
     * pool has one thread (two cores or fewer) is a new thread per response: half the throughput
     * on the benchmark's machine. send() skips that hop, but its thread waits until the headers
     * arrive, which for a model may be seconds; so only {@link #WAITING_THREADS} wait that way and
     * any further call waits without a thread. The body flows asynchronously either way.
     */
    private CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> exchange(HttpRequest built) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return client.send(built, HttpResponse.BodyHandlers.ofPublisher());
                } catch (IOException e) {
                    throw new CompletionException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            }, waiters);
        } catch (RejectedExecutionException allWaiting) {
            return client.sendAsync(built, HttpResponse.BodyHandlers.ofPublisher());
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        waiters.shutdownNow();
        executor.shutdownNow();
    }
}
