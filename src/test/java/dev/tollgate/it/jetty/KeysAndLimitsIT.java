package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.admin;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's story end to end: a user and a key through the admin API, a per-minute limit and
 * a budget on the key, the teammate's official SDK seeing rate-limit headers and a clean 429, the
 * spend in dollars in /_qs/metrics and /v1/usage, revocation and expiry refused at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class KeysAndLimitsIT {
    /** fake-gpt with 2 messages: prompt 25 (3 cached), completion 5; $1 / $2 / $0.50 cached per million. */
    private static final BigDecimal COST_PER_CALL = new BigDecimal("0.0000335");

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(KeysAndLimitsIT.class, "100ms");
    }

    private static OpenAIClient sdk(String key) {
        return TestRig.openAiSdk(key);
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model("fake-gpt").addUserMessage("Say hello").addUserMessage("Please")
                .build();
    }

    private static String user(String id) {
        HttpResponse<String> r = admin("POST", "admin/users", "{\"id\":\"" + id + "\",\"name\":\"Team Mate\",\"team\":\"search\"}");
        assertEquals(201, r.statusCode(), r.body());
        return id;
    }

    private static JsonObject issue(String userId, String body) {
        HttpResponse<String> r = admin("POST", "admin/users/" + userId + "/keys", body);
        assertEquals(201, r.statusCode(), r.body());
        return json(r.body());
    }

    private static List<Map<String, Object>> records(String keyId) {
        return TestRig.rows("SELECT * FROM usage_records WHERE key_id = ? ORDER BY ts", keyId);
    }

    @Test
    void anOperatorGivesATeammateALimitedKeyAndSeesTheSpend() {
        String userId = user("teammate");
        JsonObject issued = issue(userId, "{\"name\":\"laptop\"}");
        String key = issued.getString("key");
        String keyId = issued.getString("id");
        assertTrue(key.startsWith("sk-proxy-"));
        assertEquals("***" + key.substring(key.length() - 3), issued.getString("masked"));
        assertFalse(admin("GET", "admin/keys/" + keyId, null).body().contains(key), "the secret is shown once only");

        HttpResponse<String> set = admin("PUT", "admin/keys/" + keyId + "/limits",
                "{\"requests_per_minute\":3,\"budget_usd_per_month\":5}");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(3, json(set.body()).getJsonObject("limits").getInt("requests_per_minute"));
        assertEquals(0, new BigDecimal("5").compareTo(json(set.body()).getJsonObject("limits")
                .getJsonNumber("budget_usd_per_month").bigDecimalValue()));

        OpenAIClient client = sdk(key);
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponseFor<ChatCompletion> r = client.chat().completions().withRawResponse().create(params());
            assertEquals("3", r.headers().values("x-ratelimit-limit-requests").get(0));
            remaining.add(r.headers().values("x-ratelimit-remaining-requests").get(0));
            assertTrue(r.headers().values("x-ratelimit-reset-requests").get(0).matches("(1m[01]s)|([1-5]?[0-9]s)"),
                    r.headers().values("x-ratelimit-reset-requests").toString());
            assertEquals(FakeOpenAi.promptTokens(2), r.parse().usage().orElseThrow().promptTokens());
        }
        assertEquals(List.of("2", "1", "0"), remaining);

        RateLimitException refused = assertThrows(RateLimitException.class, () -> client.chat().completions().create(params()));
        assertEquals(429, refused.statusCode());
        assertEquals("rate_limit_exceeded", refused.code().orElseThrow());
        long retryAfter = Long.parseLong(refused.headers().values("retry-after").get(0));
        assertTrue(retryAfter >= 1 && retryAfter <= 61, "retry-after " + retryAfter);
        assertTrue(refused.getMessage().contains("requests per minute"), refused.getMessage());

        List<Map<String, Object>> rows = TestRig.awaitRows(() -> records(keyId), 4);
        assertEquals(4, rows.size(), "the refusal is recorded too, exactly once");
        assertEquals(List.of(200L, 200L, 200L, 429L), rows.stream().map(r -> number(r, "status")).toList());
        assertEquals(List.of(1L, 1L, 1L, 0L), rows.stream().map(r -> number(r, "admitted")).toList());
        assertTrue(rows.stream().allMatch(r -> userId.equals(r.get("user_id"))));
        assertEquals(0, number(rows.get(3), "total_tokens"));

        JsonObject metrics = json(TestRig.operator("_qs/metrics", TestRig.ADMIN).body());
        JsonObject mine = find(metrics.getJsonArray("by_user").getValuesAs(JsonObject.class), "user", userId);
        assertEquals(4, mine.getInt("requests"));
        assertEquals(0, COST_PER_CALL.multiply(BigDecimal.valueOf(3)).compareTo(mine.getJsonNumber("cost_usd").bigDecimalValue()),
                "three calls at $0.0000335 each: " + mine);

        HttpResponse<String> perUser = admin("GET", "admin/users/" + userId + "/usage", null);
        assertEquals(200, perUser.statusCode());
        assertEquals(4, json(perUser.body()).getJsonObject("totals").getInt("requests"));

        JsonObject page = json(TestRig.get("v1/usage?limit=3", key).body());
        assertEquals(3, page.getJsonArray("data").size());
        assertTrue(page.getBoolean("has_more"));
        assertEquals(429, page.getJsonArray("data").getJsonObject(0).getInt("status"), "newest first");
        JsonObject rest = json(TestRig.get("v1/usage?limit=3&offset=" + page.getInt("next_offset"), key).body());
        assertEquals(1, rest.getJsonArray("data").size());
        assertFalse(rest.getBoolean("has_more"));
        assertEquals(0, json(TestRig.get("v1/usage?model=other", key).body()).getJsonArray("data").size());
        JsonObject summary = json(TestRig.get("v1/usage/summary", key).body());
        assertEquals(4, summary.getJsonObject("totals").getInt("requests"));
        assertEquals("fake-gpt", summary.getJsonArray("by_model").getJsonObject(0).getString("model"));
        assertEquals(400, TestRig.get("v1/usage?limit=0", key).statusCode());
        assertEquals(401, TestRig.get("v1/usage", null).statusCode());

        assertEquals(200, admin("DELETE", "admin/keys/" + keyId, null).statusCode());
        assertThrows(UnauthorizedException.class, () -> client.chat().completions().create(params()),
                "a revoked key is refused at once");
        assertEquals("revoked", json(admin("GET", "admin/keys/" + keyId, null).body()).getString("state"));
    }

    @Test
    void aDailyBudgetRefusesWithInsufficientQuota() {
        String userId = user("budgeted");
        JsonObject issued = issue(userId, "{}");
        // each call reserves its prompt estimate + max_tokens 5 and really costs $0.0000335
        assertEquals(200, admin("PUT", "admin/keys/" + issued.getString("id") + "/limits",
                "{\"budget_usd_per_day\":\"0.00007\"}").statusCode());
        String body = "{\"model\":\"fake-gpt\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"},"
                + "{\"role\":\"user\",\"content\":\"Please\"}]}";
        String key = issued.getString("key");
        int ok = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 5; i++) {
            last = TestRig.post("v1/chat/completions", key, body);
            if (last.statusCode() != 200) {
                break;
            }
            ok++;
            TestRig.awaitRows(() -> records(issued.getString("id")), ok); // settled before the next call
        }
        assertEquals(2, ok, "$0.000067 spent; a third call would pass $0.00007");
        assertEquals(429, last.statusCode());
        JsonObject error = json(last.body()).getJsonObject("error");
        assertEquals("insufficient_quota", error.getString("code"));
        assertTrue(last.headers().firstValue("retry-after").isPresent());
        JsonObject limits = json(admin("GET", "admin/keys/" + issued.getString("id") + "/limits", null).body());
        assertEquals(0, new BigDecimal("0.000067").compareTo(limits.getJsonObject("used")
                .getJsonNumber("budget_usd_per_day").bigDecimalValue()), limits.toString());
    }

    @Test
    void parallelRequestsOnOneKeyGetExactlyItsLimitAndAreAllRecordedOnce() throws Exception {
        String userId = user("parallel");
        JsonObject issued = issue(userId, "{}");
        String keyId = issued.getString("id");
        assertEquals(200, admin("PUT", "admin/keys/" + keyId + "/limits", "{\"requests_per_minute\":20}").statusCode());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(pool.submit(() -> TestRig.post("v1/chat/completions", issued.getString("key"),
                    TestRig.chat("fake-gpt", false, null, "hi")).statusCode()));
        }
        int ok = 0;
        int limited = 0;
        for (Future<Integer> f : calls) {
            int status = f.get();
            ok += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(20, ok);
        assertEquals(30, limited);
        List<Map<String, Object>> rows = TestRig.awaitRows(() -> records(keyId), 50);
        assertEquals(50, rows.size());
        assertEquals(50, rows.stream().map(r -> r.get("id")).distinct().count());
        assertEquals(20, rows.stream().filter(r -> number(r, "admitted") == 1).count());
    }

    @Test
    void expiredKeysAreRefused() {
        String userId = user("shortlived");
        JsonObject issued = issue(userId, "{\"expires_at\":\"" + Instant.now().plusSeconds(2) + "\"}");
        assertEquals(200, TestRig.post("v1/chat/completions", issued.getString("key"),
                TestRig.chat("fake-gpt", false, null, "hi")).statusCode());
        TestRig.pause(2100);
        HttpResponse<String> r = TestRig.post("v1/chat/completions", issued.getString("key"),
                TestRig.chat("fake-gpt", false, null, "hi"));
        assertEquals(401, r.statusCode());
        assertEquals("invalid_api_key", json(r.body()).getJsonObject("error").getString("code"));
    }

    @Test
    void theAdminApiSaysWhatIsWrongAndIsForAdminsOnly() {
        user("admin-lifecycle");
        assertEquals(409, admin("POST", "admin/users", "{\"id\":\"admin-lifecycle\",\"name\":\"Again\"}").statusCode());
        HttpResponse<String> badType = admin("POST", "admin/users", "{\"name\":5}");
        assertEquals(400, badType.statusCode());
        assertTrue(json(badType.body()).getJsonObject("error").getString("message").contains("'name'"));
        assertEquals(400, admin("POST", "admin/users", "{not json").statusCode());
        assertEquals(400, admin("POST", "admin/users", "{\"name\":\"x\",\"colour\":\"red\"}").statusCode());
        assertEquals(404, admin("GET", "admin/users/nobody", null).statusCode());
        assertEquals(404, admin("DELETE", "admin/keys/key-nothing", null).statusCode());
        assertEquals(404, admin("PUT", "admin/users/nobody/limits", "{}").statusCode());
        HttpResponse<String> badLimit = admin("PUT", "admin/users/admin-lifecycle/limits", "{\"requests_per_minute\":\"many\"}");
        assertEquals(400, badLimit.statusCode());
        assertTrue(badLimit.body().contains("requests_per_minute"));
        assertEquals(400, admin("PUT", "admin/users/admin-lifecycle/limits", "{\"tokens_per_day\":-1}").statusCode());
        assertEquals(400, admin("POST", "admin/users/admin-lifecycle/keys", "{\"expires_at\":\"tomorrow\"}").statusCode());

        HttpResponse<String> patched = admin("PATCH", "admin/users/admin-lifecycle", "{\"name\":\"Renamed\",\"team\":\"\"}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("Renamed", json(patched.body()).getString("name"));
        assertFalse(json(patched.body()).containsKey("team"));
        JsonObject k = issue("admin-lifecycle", "{}");
        assertEquals(200, admin("PUT", "admin/users/admin-lifecycle/limits", "{\"requests_per_day\":100}").statusCode());
        JsonObject got = json(admin("GET", "admin/users/admin-lifecycle", null).body());
        assertEquals(1, got.getJsonArray("keys").size());
        assertEquals(100, got.getJsonObject("limits").getInt("requests_per_day"));
        assertTrue(json(admin("GET", "admin/users", null).body()).getJsonArray("data").stream()
                .anyMatch(u -> u.asJsonObject().getString("id").equals("admin-lifecycle")));
        assertEquals(204, admin("DELETE", "admin/users/admin-lifecycle", null).statusCode());
        assertEquals(401, TestRig.post("v1/chat/completions", k.getString("key"), TestRig.chat("fake-gpt", false, null, "x"))
                .statusCode(), "a deleted user's keys stop working");

        JsonObject models = json(admin("GET", "admin/models", null).body());
        JsonObject fake = find(models.getJsonArray("data").getValuesAs(JsonObject.class), "id", "fake-gpt");
        JsonObject price = fake.getJsonArray("routes").getJsonObject(0).getJsonObject("price");
        assertEquals(0, BigDecimal.ONE.compareTo(price.getJsonNumber("input_per_million_usd").bigDecimalValue()));
        assertEquals(0, new BigDecimal("0.5").compareTo(price.getJsonNumber("cached_input_per_million_usd").bigDecimalValue()));
        assertEquals(JsonValue.NULL, find(models.getJsonArray("data").getValuesAs(JsonObject.class), "id", "fake-cut")
                .getJsonArray("routes").getJsonObject(0).get("price"), "no price for a model nobody priced");

        assertEquals(403, TestRig.operator("admin/users", TestRig.VIEWER).statusCode());
        assertEquals(401, TestRig.operator("admin/users", null).statusCode());
    }

    private static JsonObject find(List<JsonObject> list, String field, String value) {
        return list.stream().filter(o -> value.equals(o.getString(field, null))).findFirst()
                .orElseThrow(() -> new AssertionError(value + " not in " + list));
    }
}
