package dev.tollgate.route;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.StringReader;

/** A stored credential's two halves, the spec and its secrets, joined into the one entry the parser reads. */
final class SpecJson {
    private SpecJson() {
    }

    static String withSecrets(String spec, String secrets) {
        JsonObjectBuilder b = JSON.createObjectBuilder(read(spec));
        read(secrets).forEach(b::add);
        return b.build().toString();
    }

    static JsonObject read(String json) {
        try (JsonReader r = JSON.createReader(new StringReader(json))) {
            return r.readObject();
        }
    }
}
