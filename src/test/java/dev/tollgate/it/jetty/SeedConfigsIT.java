package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ConfigLocator;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed systems' example config files, verbatim (src/test/resources/seed-configs), deploy and
 * serve: health, client keys, the model list, routing, errors in the caller's format, and what
 * each file says about recording. No call leaves for the real providers these files name.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SeedConfigsIT {
    private static final String FORK = "tollgate-seed-quantumspring";
    private static final String RUST = "tollgate-seed-rust";
    private static final String CLIPROXY = "tollgate-seed-cliproxyapi";

    static Path seed(String name) {
        try {
            return Path.of(SeedConfigsIT.class.getResource("/seed-configs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Deployment(name = FORK, testable = false, order = 1)
    static WebArchive fork() {
        return TestRig.deploymentOf(FORK, seed("quantumspring-fork.yaml"));
    }

    @Deployment(name = RUST, testable = false, order = 2)
    static WebArchive rust() {
        return TestRig.deploymentOf(RUST, seed("rust-gateway-example.yaml"));
    }

    @Deployment(name = CLIPROXY, testable = false, order = 3)
    static WebArchive cliProxy() {
        return TestRig.deploymentOf(CLIPROXY, seed("cliproxyapi-example.yaml"));
    }

    @Test
    @OperateOnDeployment(FORK)
    void theQuantumSpringForksFileServesItsKeysModelsAndDashboard() throws Exception {
        TestRig.use(FORK);
        JsonObject health = json(TestRig.get("_qs/health", null).body());
        assertTrue(health.getBoolean("ok"), health.toString());
        assertTrue(health.getBoolean("statistics_enabled"));
        assertEquals(ConfigLocator.hash(Files.readAllBytes(seed("quantumspring-fork.yaml"))),
                health.getJsonObject("config").getString("hash"));
        assertEquals(401, TestRig.get("v1/models", "not-a-key").statusCode());
        String models = TestRig.get("v1/models", "your-api-key-1").body();
        assertTrue(models.contains("\"kimi-k2\"") && models.contains("\"moonshotai/kimi-k2:free\""), models);
        // kimi-k2 is served by the openrouter entry; the Gemini keys of generative-language-api-key are in rotation
        String routes = TestRig.admin("GET", "admin/models", null).body();
        assertTrue(routes.contains("openrouter#1"), routes);
        String providers = TestRig.admin("GET", "admin/providers", null).body();
        assertTrue(providers.contains("gemini#2") && providers.contains("anthropic#1") && providers.contains("codex#1"), providers);
        // its Claude, Codex and Gemini keys list no models, so they take any name: no call is made here, but
        // a caller with a key the file does not hold is refused in OpenAI's format before any routing
        HttpResponse<String> refused = TestRig.post("v1/chat/completions", "sk-not-in-the-file",
                TestRig.chat("kimi-k2", false, null, "hi"));
        assertEquals(401, refused.statusCode());
        assertEquals("invalid_request_error", json(refused.body()).getJsonObject("error").getString("type"), "as OpenAI says it");
        assertEquals("invalid_api_key", json(refused.body()).getJsonObject("error").getString("code"));
        // quantumspring.enabled: true: the dashboard is there (behind the container's login)
        assertEquals(401, TestRig.operator(TestRig.base() + "_qs/metrics/ui", null).statusCode());
    }

    @Test
    @OperateOnDeployment(RUST)
    void theRustGatewaysExampleRunsOpenWithItsThreeProviders() {
        TestRig.use(RUST);
        assertEquals(200, TestRig.get("health", null).statusCode(), "the seed's load-balancer path");
        // api-keys: [] is an open proxy, unless the store already holds issued keys (the PostgreSQL run shares
        // one database with the other test classes, whose issued keys close it)
        boolean issued = !TestRig.expectedPersistence().equals("sqlite")
                && TestRig.number(TestRig.rows("SELECT COUNT(*) AS n FROM client_keys").get(0), "n") > 0;
        assertEquals(issued ? 401 : 200, TestRig.get("v1/models", null).statusCode());
        String providers = TestRig.admin("GET", "admin/providers", null).body();
        for (String label : new String[] {"anthropic#1", "openai#1", "gemini#1"}) {
            assertTrue(providers.contains("\"" + label + "\""), providers);
        }
        JsonObject config = json(TestRig.admin("GET", "admin/config", null).body());
        assertEquals(30_000, config.getJsonObject("timeouts_ms").getInt("connect"));
        assertEquals(3, config.getInt("request_retry"));
    }

    @Test
    @OperateOnDeployment(CLIPROXY)
    void cliProxyApisExampleRecordsNothingAndSaysSo() {
        TestRig.use(CLIPROXY);
        JsonObject before = json(TestRig.get("_qs/health", null).body());
        assertFalse(before.getBoolean("statistics_enabled"));
        HttpResponse<String> call = TestRig.post("v1/chat/completions", "your-api-key-1", TestRig.chat("gpt-x", false, null, "hi"));
        assertEquals(404, call.statusCode());
        TestRig.pause(500);
        JsonObject after = json(TestRig.get("_qs/health", null).body());
        assertEquals(before.getJsonNumber("total_records_persisted").longValue(),
                after.getJsonNumber("total_records_persisted").longValue(), "usage-statistics-enabled: false records nothing");
    }
}
