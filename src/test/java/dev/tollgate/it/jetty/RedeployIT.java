package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records written only by the shutdown flush survive an undeploy and show after the next deploy. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RedeployIT {
    private static final String NAME = "gateway";
    /** Its own archive: the Jetty adapter undeploys an archive name only once per run. */
    private static final String MID_STREAM = "tollgate-midstream";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive war() {
        // an hour between flushes: only the graceful-undeploy flush can put these records on disk
        return TestRig.deployment(RedeployIT.class, "1h");
    }

    @Deployment(name = MID_STREAM, managed = false, testable = false)
    static WebArchive midStream() {
        return TestRig.deployment(MID_STREAM, "1h", "");
    }

    @Test
    void aStreamOpenAtUndeployIsStillRecorded() throws Exception {
        String key = newKey();
        TestRig.use(MID_STREAM);
        deployer.deploy(MID_STREAM);
        URI uri = URI.create(TestRig.base());
        String body = chat("fake-slow", true, null, "a long story");
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("POST " + uri.getPath() + "v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[8192];
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("data: {")) {
                int n = socket.getInputStream().read(buf);
                assertTrue(n > 0, "the stream should have started");
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            deployer.undeploy(MID_STREAM); // mid-stream, with the flush interval an hour away
        }
        List<Map<String, Object>> rows = TestRig.records(key);
        assertEquals(1, rows.size(), "written by the undeploy, before the recorder closed");
        assertEquals(503, TestRig.number(rows.get(0), "status"));
        assertEquals("partial", rows.get(0).get("usage_quality"));
    }

    @Test
    void recordsSurviveARedeploy() {
        String key = newKey();
        TestRig.use("tollgate-redeployit");
        deployer.deploy(NAME);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, TestRig.post("v1/chat/completions", key, chat("redeploy-model", i % 2 == 0, null, "x")).statusCode());
        }
        TestRig.pause(300);
        assertEquals(0, TestRig.records(key).size(), "still in memory: the flush interval is an hour");
        assertEquals(5, json(TestRig.get("_qs/health", null).body()).getInt("queue_depth"));
        deployer.undeploy(NAME);
        assertEquals(5, TestRig.records(key).size(), "the undeploy wrote them before the database closed");

        deployer.deploy(NAME);
        try {
            JsonObject m = json(TestRig.operator("_qs/metrics?model=redeploy-model", TestRig.VIEWER).body());
            assertEquals(5, m.getJsonObject("totals").getInt("requests"));
            JsonValue mine = m.getJsonArray("by_api_key").stream()
                    .filter(v -> v.asJsonObject().getString("api_key").equals(TestRig.masked(key))).findFirst().orElseThrow();
            assertEquals(5 * (11 + 7 + 5), mine.asJsonObject().getInt("tokens"));
            assertTrue(json(TestRig.get("_qs/health", null).body()).getJsonNumber("total_records_persisted").longValue() >= 5);
        } finally {
            deployer.undeploy(NAME);
        }
    }
}
