package dev.tollgate.it.fleet;

import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.it.PostgresServer;
import dev.tollgate.it.TestRig;
import dev.tollgate.it.TomcatInstance;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/**
 * What issue 20 promises ops, end to end: two real Tomcats, one on SQLite ("east"), one on a real
 * PostgreSQL ("west"), each logging its calls. East's day leaves as a bundle through its admin API
 * and is imported into west, where its metrics (by instance), its search and its conversation
 * show; importing again adds nothing; a damaged bundle is refused and west is unchanged; west's
 * own calls then travel back to east, and only they are added there.
 */
class BundleServersIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(TestRig.ADMIN.getBytes(StandardCharsets.UTF_8));

    private static HttpResponse<byte[]> send(TomcatInstance t, String method, String path, String type, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(t.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", AUTH).header("Content-Type", type)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonObject get(TomcatInstance t, String path) throws Exception {
        HttpResponse<byte[]> r = send(t, "GET", path, "application/json", null);
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return json(new String(r.body(), StandardCharsets.UTF_8));
    }

    /** A chat call with the demo key; returns its request id and the answer's text. */
    private static String[] chat(TomcatInstance t, String messages) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(t.url() + "v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-gpt\",\"messages\":[" + messages + "]}")).build();
        HttpResponse<String> a = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, a.statusCode(), a.body());
        return new String[] {a.headers().firstValue("x-tollgate-request-id").orElseThrow(),
            json(a.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")};
    }

    private static final String KEY = TestRig.newKey();

    private static int found(TomcatInstance t, String word) throws Exception {
        return get(t, "admin/logs?q=" + word).getJsonArray("results").size();
    }

    private static void awaitFound(TomcatInstance t, String word, int calls) {
        TestRig.await(() -> {
            try {
                return found(t, word) == calls;
            } catch (Exception | AssertionError e) {
                return false;
            }
        }, calls + " logged calls with " + word);
    }

    /** Waits until the server's usage records (written apart from the request log) count {@code calls} today. */
    private static void awaitRecorded(TomcatInstance t, String day, long calls) {
        TestRig.await(() -> {
            try {
                return get(t, "_qs/metrics?from=" + day).getJsonObject("totals").getInt("requests") == calls;
            } catch (Exception | AssertionError e) {
                return false;
            }
        }, calls + " usage records on " + t.url());
    }

    @Test
    void aDayTravelsFromSqliteToPostgresqlAndBackWithNothingCountedTwice() throws Exception {
        Path home = Path.of(System.getProperty("tomcat.home", "missing"));
        Assumptions.assumeTrue(Files.exists(home.resolve("bin/catalina.sh")), "no unpacked Tomcat (not -Dskip.tomcat)");
        PostgresServer pg = PostgresServer.start();
        Files.createDirectories(Path.of("target"));
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bundle-servers-"); // a fresh store each run
        Path war = Path.of(System.getProperty("tollgate.war"));
        TomcatInstance east = TomcatInstance.sqlite(home, dir.resolve("east"), war, config(dir, "east"), List.of("-Xmx256m"));
        TomcatInstance west = TomcatInstance.create(home, dir.resolve("west"), war,
                Path.of(Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()), config(dir, "west"),
                pg.url(), pg.user());
        try {
            east.start();
            west.start();
            for (TomcatInstance t : List.of(east, west)) {
                TestRig.await(() -> {
                    try {
                        return send(t, "GET", "_qs/health", "application/json", null).statusCode() == 200;
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                }, t.url() + " up");
            }
            String word = "zqbundle" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "q");
            String first = "{\"role\":\"user\",\"content\":\"" + word + " plan a trip\"}";
            String[] one = chat(east, first);
            String[] two = chat(east, first + ",{\"role\":\"assistant\",\"content\":" + Json.createValue(one[1])
                    + "},{\"role\":\"user\",\"content\":\"and then?\"}");
            String day = LocalDate.now(ZoneOffset.UTC).toString();
            awaitFound(east, word, 2);
            awaitRecorded(east, day, 2);

            HttpResponse<byte[]> bundle = send(east, "GET", "admin/bundles?from=" + day, "application/json", null);
            assertEquals(200, bundle.statusCode());
            long westBefore = get(west, "_qs/metrics?from=" + day).getJsonObject("totals").getInt("requests");
            JsonObject in = json(new String(send(west, "POST", "admin/bundles", "application/zip", bundle.body()).body(),
                    StandardCharsets.UTF_8));
            assertEquals(2, in.getInt("records_added"), in.toString());
            assertEquals(2, in.getInt("log_entries_added"));
            assertEquals(2, get(west, "_qs/metrics?from=" + day + "&instance=east").getJsonObject("totals").getInt("requests"),
                    "west's metrics show east's calls, by instance");
            assertEquals(westBefore + 2, get(west, "_qs/metrics?from=" + day).getJsonObject("totals").getInt("requests"));
            assertEquals(2, found(west, word), "west's search (PostgreSQL) finds what east logged");
            String conversation = get(west, "admin/logs/" + two[0]).getString("conversation_id");
            assertEquals(one[0], conversation, "grouped the same way");
            assertEquals(2, get(west, "admin/conversations/" + conversation).getJsonArray("turns").size());

            JsonObject again = json(new String(send(west, "POST", "admin/bundles", "application/zip", bundle.body()).body(),
                    StandardCharsets.UTF_8));
            assertEquals(0, again.getInt("records_added"), again.toString());
            byte[] damaged = bundle.body().clone();
            damaged[damaged.length / 2] ^= 0x08;
            assertEquals(400, send(west, "POST", "admin/bundles", "application/zip", damaged).statusCode());
            assertEquals(westBefore + 2, get(west, "_qs/metrics?from=" + day).getJsonObject("totals").getInt("requests"),
                    "nothing of a refused bundle is written");

            String other = word + "west";
            chat(west, "{\"role\":\"user\",\"content\":\"" + other + " hello\"}");
            awaitFound(west, other, 1);
            awaitRecorded(west, day, westBefore + 3);
            JsonObject back = json(new String(send(east, "POST", "admin/bundles", "application/zip",
                    send(west, "GET", "admin/bundles?from=" + day, "application/json", null).body()).body(),
                    StandardCharsets.UTF_8));
            assertEquals(westBefore + 1, back.getInt("records_added"), "only west's own calls are new on east: " + back);
            assertEquals(2, back.getInt("records_skipped"));
            assertEquals(1, found(east, other), "east's search (SQLite) finds what west logged");
        } finally {
            east.stop();
            west.stop();
            pg.stop();
        }
    }

    private static Path config(Path dir, String id) throws IOException {
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, TestRig.configYaml(dir.resolve(id + "-unused.db"), "200ms", "")
                .replace("instance-id: it-instance", "instance-id: " + id));
        return config;
    }
}
