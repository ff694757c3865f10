package dev.tollgate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.TollgateConfig.PayloadRule;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadRulesTest {
    @Test
    void overrideDefaultAndRemoveApplyToMatchingModelsOnly() {
        PayloadRules rules = new PayloadRules(List.of(
                new PayloadRule(List.of("gpt-5*"), Map.of("reasoning_effort", "low", "temperature", "1"),
                        Map.of("top_p", "0.5", "metadata", "{\"team\":\"x\"}"), List.of("logit_bias")),
                new PayloadRule(List.of("gpt-5-mini"), Map.of("reasoning_effort", "minimal"), Map.of(), List.of())));
        JsonObject body = Json.createReader(new StringReader(
                "{\"model\":\"gpt-5-mini\",\"temperature\":0.2,\"top_p\":0.9,\"logit_bias\":{\"1\":2}}")).readObject();
        JsonObject out = rules.apply("gpt-5-mini", body);
        assertEquals("minimal", out.getString("reasoning_effort"), "later rules win");
        assertEquals(1, out.getInt("temperature"), "override replaces; JSON text becomes a number");
        assertEquals("0.9", out.getJsonNumber("top_p").toString(), "a default never replaces what the client sent");
        assertEquals("x", out.getJsonObject("metadata").getString("team"));
        assertFalse(out.containsKey("logit_bias"));
        assertTrue(rules.appliesTo("gpt-5"));
        assertFalse(rules.appliesTo("gpt-4o"));
        assertEquals(body, rules.apply("gpt-4o", body));
    }
}
