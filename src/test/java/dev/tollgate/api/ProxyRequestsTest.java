package dev.tollgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import jakarta.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyRequestsTest {
    private static final InputLimits LIMITS = new InputLimits(1 << 20, 16, 10_000, 5, 3, 32, Duration.ofSeconds(5), 1,
            1 << 20, 1 << 16);
    private final ProxyRequests requests = new ProxyRequests(LIMITS);
    private final Caller caller = Caller.of(KeyFingerprint.ANONYMOUS);

    private ProxyCall chat(String json) {
        return requests.parse(Operation.CHAT_COMPLETIONS, caller, json.getBytes(StandardCharsets.UTF_8), Map.of(), false);
    }

    private GatewayException refused(String json) {
        GatewayException e = assertThrows(GatewayException.class, () -> chat(json));
        assertEquals(Failure.INVALID_REQUEST, e.failure());
        return e;
    }

    @Test
    void aPlainRequestPasses() {
        ProxyCall call = chat("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":100,\"stream\":true,\"models\":[\"b\",\"c\"]}");
        assertEquals("gpt-4o-mini", call.model());
        assertTrue(call.stream());
        assertEquals(2, call.fallbacks().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "tab\there", "nul\u0000byte", "crlf\r\nx", "ünïcode", "x\u007f"})
    void aModelNameThatIsNotAnIdentifierIsRefusedWithoutBeingEchoed(String model) {
        String json = "{\"model\":" + Json.createValue(model) + ",\"messages\":[]}";
        GatewayException e = refused(json);
        assertEquals("model", e.param());
        assertFalse(e.getMessage().contains(model), e.getMessage());
    }

    /** Written into Gemini's upstream path, a model name must not reach another path with the gateway's key. */
    @ParameterizedTest
    @ValueSource(strings = {"../../v1/files", "prefix/../x", "./m", "m?alt=json", "m#frag", "m%2F..", "back\\slash"})
    void aModelNameThatIsUrlSyntaxIsRefused(String model) {
        assertEquals("model", refused("{\"model\":" + Json.createValue(model) + ",\"messages\":[]}").param());
        byte[] body = "{\"contents\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThrows(GatewayException.class, () -> requests.parse(Operation.GENERATE_CONTENT, caller, body, Map.of(),
                false, model, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek/deepseek-chat", "gpt-4.1", "claude-3-5-sonnet@20241022", "a:b", "meta-llama/Llama-3.1"})
    void realModelNamesPass(String model) {
        assertEquals(model, chat("{\"model\":" + Json.createValue(model) + ",\"messages\":[]}").model());
    }

    @Test
    void aModelNameLongerThanTheBoundIsRefused() {
        String model = "m".repeat(33);
        GatewayException e = refused("{\"model\":\"" + model + "\",\"messages\":[]}");
        assertFalse(e.getMessage().contains(model));
        assertEquals("m".repeat(32), chat("{\"model\":\"" + "m".repeat(32) + "\",\"messages\":[]}").model());
    }

    @Test
    void fallbackModelsAreBoundedAndChecked() {
        refused("{\"model\":\"a\",\"messages\":[],\"models\":[\"bad name\"]}");
        refused("{\"model\":\"a\",\"messages\":[],\"models\":[" + "\"b\",".repeat(16) + "\"c\"]}");
    }

    @Test
    void theGeminiPathModelIsCheckedToo() {
        byte[] body = "{\"contents\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThrows(GatewayException.class, () -> requests.parse(Operation.GENERATE_CONTENT, caller, body, Map.of(),
                false, "x".repeat(40), false));
        assertEquals("gemini-2.5-flash", requests.parse(Operation.GENERATE_CONTENT, caller, body, Map.of(), false,
                "gemini-2.5-flash", false).model());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e308", "\"100\"", "12.5", "-1", "2147483648", "1e3", "true", "{}"})
    void anOutputCapThatIsNotAWholeNumberInRangeIsRefused(String cap) {
        for (String field : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            GatewayException e = refused("{\"model\":\"a\",\"messages\":[],\"" + field + "\":" + cap + "}");
            assertEquals(field, e.param());
        }
        GatewayException e = assertThrows(GatewayException.class, () -> requests.parse(Operation.GENERATE_CONTENT,
                caller, ("{\"contents\":[],\"generationConfig\":{\"maxOutputTokens\":" + cap + "}}")
                        .getBytes(StandardCharsets.UTF_8), Map.of(), false, "g", false));
        assertEquals("generationConfig.maxOutputTokens", e.param());
    }

    @Test
    void messagesAndToolsAreCounted() {
        String five = "{\"role\":\"user\",\"content\":\"x\"},".repeat(5);
        chat("{\"model\":\"a\",\"messages\":[" + five.substring(0, five.length() - 1) + "]}");
        assertEquals("messages", refused("{\"model\":\"a\",\"messages\":[" + five + "{}]}").param());
        assertEquals("tools", refused("{\"model\":\"a\",\"messages\":[],\"tools\":[{},{},{},{}]}").param());
        GatewayException gemini = assertThrows(GatewayException.class, () -> requests.parse(Operation.GENERATE_CONTENT,
                caller, "{\"contents\":[],\"tools\":[{\"functionDeclarations\":[{},{},{}]}]}"
                        .getBytes(StandardCharsets.UTF_8), Map.of(), false, "g", false));
        assertEquals("tools", gemini.param());
    }

    @Test
    void deepOrTrailingJsonIsA400NotACrash() {
        assertTrue(refused("{\"model\":\"a\",\"messages\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}")
                .getMessage().contains("nested deeper than 16"));
        assertTrue(refused("{\"model\":\"a\",\"messages\":[]} trailing").getMessage().contains("after the JSON"));
    }
}
