package dev.tollgate.route;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.TollgateConfig.PayloadRule;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config's payload rules: per upstream model (globs), fields overridden, defaulted or removed
 * in the body just before it goes upstream, after any translation. Rules apply in file order.
 */
public final class PayloadRules {
    private record Rule(List<Glob> models, Map<String, JsonValue> override, Map<String, JsonValue> defaults,
                        List<String> remove) {
        boolean matches(String model) {
            return models.stream().anyMatch(g -> g.matches(model));
        }
    }

    private final List<Rule> rules;

    public PayloadRules(List<PayloadRule> config) {
        this.rules = config.stream().map(r -> new Rule(r.models().stream().map(Glob::new).toList(), values(r.override()),
                values(r.defaults()), r.remove())).toList();
    }

    public boolean appliesTo(String model) {
        return rules.stream().anyMatch(r -> r.matches(model));
    }

    public JsonObject apply(String model, JsonObject body) {
        JsonObject out = body;
        for (Rule r : rules) {
            if (!r.matches(model)) {
                continue;
            }
            JsonObjectBuilder b = JSON.createObjectBuilder(out);
            r.defaults().forEach((k, v) -> {
                if (!body.containsKey(k)) {
                    b.add(k, v);
                }
            });
            r.override().forEach(b::add);
            r.remove().forEach(b::remove);
            out = b.build();
        }
        return out;
    }

    /** Text that parses as JSON is taken as JSON (numbers, booleans, objects), anything else as a string. */
    private static Map<String, JsonValue> values(Map<String, String> raw) {
        Map<String, JsonValue> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            JsonValue value;
            try {
                value = JSON.createReader(new StringReader(v)).readValue();
            } catch (JsonException | IllegalStateException e) {
                value = JSON.createValue(v);
            }
            out.put(k, value);
        });
        return out;
    }
}
