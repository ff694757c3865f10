package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.operator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Container-managed BASIC auth with the two roles, and the localhost-first network allow-list. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecurityIT {
    private static final String CLOSED = "tollgate-closed";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(SecurityIT.class, "100ms");
    }

    /** The same WAR with an allow-list that leaves out loopback, where the tests run from. */
    @Deployment(name = CLOSED, managed = false, testable = false)
    static WebArchive closed() {
        return TestRig.deployment(CLOSED, "100ms", "ops:\n  allowed-networks: [10.0.0.0/8, 'fd00::/8']\n");
    }

    /** Both deployments are generated at class start, so each test names its target. */
    @BeforeEach
    void target() {
        TestRig.use("tollgate-securityit");
    }

    @Test
    void operatorPathsNeedTheRightRole() {
        assertEquals(401, operator("_qs/metrics", null).statusCode());
        assertTrue(operator("_qs/metrics", null).headers().firstValue("WWW-Authenticate").orElseThrow()
                .contains("Basic"));
        assertEquals(401, operator("_qs/metrics", "tg-viewer:wrong").statusCode());
        assertEquals(200, operator("_qs/metrics", TestRig.VIEWER).statusCode());
        assertEquals(200, operator("_qs/metrics", TestRig.ADMIN).statusCode());
        assertEquals(403, operator("admin/config", TestRig.VIEWER).statusCode(), "viewers cannot administer");
        assertEquals(401, operator("admin/config", null).statusCode());
        assertEquals(200, operator("_qs/health", null).statusCode(), "health is open");
    }

    @Test
    void adminConfigRedactsSecrets() {
        HttpResponse<String> r = operator("admin/config", TestRig.ADMIN);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject c = TestRig.json(r.body());
        assertEquals(TestRig.KEYS, c.getInt("api_keys"));
        assertEquals("***", c.getJsonArray("credentials").getJsonObject(0).getString("api_key"));
        assertEquals("***", c.getJsonArray("credentials").getJsonObject(0).getJsonObject("headers").getString("X-Upstream-Tag"));
        assertFalse(r.body().contains("sk-upstream-secret"), r.body());
        assertFalse(r.body().contains("sk-it-0"), "client keys are never shown");
        assertEquals("127.0.0.0/8", c.getJsonObject("ops").getJsonArray("allowed_networks").getString(0));
    }

    @Test
    void proxyEndpointsUseClientKeysNotTheRealm() {
        assertEquals(200, TestRig.post("v1/chat/completions", TestRig.newKey(),
                TestRig.chat("fake-gpt", false, null, "x")).statusCode());
        assertEquals(200, TestRig.get("v1/models", TestRig.newKey()).statusCode());
    }

    @Test
    void operatorPathsRefuseCallersOutsideTheAllowedNetworks() {
        deployer.deploy(CLOSED);
        try {
            String base = TestRig.base(CLOSED);
            HttpResponse<String> refused = operator(base + "_qs/metrics", TestRig.ADMIN);
            assertEquals(403, refused.statusCode());
            String message = TestRig.json(refused.body()).getJsonObject("error").getString("message");
            assertTrue(message.contains("ops.allowed-networks") && message.contains("127.0.0.1"), message);
            assertEquals(403, operator(base + "admin/config", TestRig.ADMIN).statusCode());
            assertEquals(200, operator(base + "_qs/health", null).statusCode(), "health stays reachable for load balancers");
        } finally {
            deployer.undeploy(CLOSED);
        }
    }

    /**
     * A page on another site can make a logged-in admin's browser post a form with the stored BASIC
     * credentials; the admin API must refuse it, and anything a browser says came from elsewhere.
     */
    @Test
    void crossSiteRequestsCannotActForALoggedInAdmin() {
        String basic = "Basic " + Base64.getEncoder().encodeToString(TestRig.ADMIN.getBytes());
        HttpResponse<String> form = TestRig.exchange("POST", "admin/users", "id=mallory&name=Mallory",
                "Authorization", basic, "Content-Type", "application/x-www-form-urlencoded",
                "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
        assertEquals(403, form.statusCode(), form.body());
        HttpResponse<String> plainForm = TestRig.exchange("POST", "admin/users", "{\"id\":\"mallory\",\"name\":\"M\"}",
                "Authorization", basic, "Content-Type", "text/plain");
        assertEquals(415, plainForm.statusCode(), "a form's content types are refused even without Origin");
        HttpResponse<String> emptyForm = TestRig.exchange("POST", "admin/users/mallory/keys", "",
                "Authorization", basic, "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(415, emptyForm.statusCode(), "an empty form post issues no key");
        HttpResponse<String> foreignJson = TestRig.exchange("DELETE", "admin/keys/any", null, "Authorization", basic,
                "Origin", "http://127.0.0.1:1");
        assertEquals(403, foreignJson.statusCode(), "another origin cannot delete either");
        assertEquals(404, operator("admin/users/mallory", TestRig.ADMIN).statusCode(), "nothing was created");

        String self = TestRig.base().replaceAll("^(https?://[^/]+).*$", "$1");
        HttpResponse<String> own = TestRig.exchange("POST", "admin/users", "{\"id\":\"own-page\",\"name\":\"Own\"}",
                "Authorization", basic, "Content-Type", "application/json; charset=utf-8", "Origin", self,
                "Sec-Fetch-Site", "same-origin");
        assertEquals(201, own.statusCode(), own.body());
        HttpResponse<String> page = operator("_qs/metrics/ui", TestRig.ADMIN);
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(null));
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
    }
}
