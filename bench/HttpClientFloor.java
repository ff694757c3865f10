import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK HttpClient alone, set up as Tollgate's HttpUpstream sets it up (HTTP/1.1, a pooled
 * executor, the body as bytes), calling the fake upstream from one thread: the part of Tollgate's
 * added latency that the client library costs by itself. Run by bench.py as a source file:
 * java HttpClientFloor.java URL SECONDS, with the request body in BENCH_BODY. Prints one JSON line.
 */
public final class HttpClientFloor {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        long seconds = Long.parseLong(args[1].replaceAll("s$", ""));
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer sk-upstream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(System.getenv("BENCH_BODY").getBytes()))
                .build();
        run(client, request, 15); // the JIT's warm-up, not counted: the client is new in every run
        long[] nanos = run(client, request, seconds);
        Arrays.sort(nanos);
        System.out.printf("{\"rps\": %.1f, \"p50\": %.4f, \"p99\": %.4f, \"completed\": %d}%n",
                nanos.length / (double) seconds, nanos[nanos.length / 2] / 1e6,
                nanos[(int) (0.99 * (nanos.length - 1))] / 1e6, nanos.length);
        System.exit(0);
    }

    private static long[] run(HttpClient client, HttpRequest request, long seconds) throws Exception {
        long[] nanos = new long[1 << 16];
        int n = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (long start = System.nanoTime(); start < end; start = System.nanoTime()) {
            HttpResponse<byte[]> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                // a kept-alive connection nginx closed as it was reused ("connection closed locally"):
                // rare, not the client's speed; the call is not timed and the floor goes on
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("upstream answered " + response.statusCode());
            }
            if (n == nanos.length) {
                nanos = Arrays.copyOf(nanos, n * 2);
            }
            nanos[n++] = System.nanoTime() - start;
        }
        return Arrays.copyOf(nanos, n);
    }
}
