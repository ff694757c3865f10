package dev.tollgate.gateway;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;

/**
 * The body sent upstream for a same-format call: the client's bytes untouched, unless the model
 * name must change (alias or prefix) or a stream must ask for usage the client did not ask for.
 */
record UpstreamBody(byte[] bytes, JsonObject json, boolean clientWantsUsage) {
    /** The gateway's own field (model fallbacks); upstreams never see it. */
    static final String FALLBACKS = "models";

    /** The client's body as it is (formats that carry the model in the URL), less the gateway's own field. */
    static UpstreamBody asIs(ProxyCall call) {
        if (!call.body().containsKey(FALLBACKS)) {
            return new UpstreamBody(call.rawBody(), call.body(), true);
        }
        JsonObject json = JSON.createObjectBuilder(call.body()).remove(FALLBACKS).build();
        return new UpstreamBody(json.toString().getBytes(StandardCharsets.UTF_8), json, true);
    }

    /**
     * A Gemini body: the model travels in the URL, but an embedding body may name it too
     * ({@code models/<name>}, in each of a batch's {@code requests}), and then it names the upstream's.
     */
    static UpstreamBody gemini(ProxyCall call, String upstreamModel) {
        String named = "models/" + upstreamModel;
        JsonObject body = call.body();
        boolean renamed = body.get("model") instanceof JsonString m && !m.getString().equals(named);
        boolean batchRenamed = body.get("requests") instanceof JsonArray rs && rs.stream()
                .anyMatch(r -> r instanceof JsonObject o && o.get("model") instanceof JsonString m && !m.getString().equals(named));
        if (!renamed && !batchRenamed) {
            return asIs(call);
        }
        JsonObjectBuilder b = JSON.createObjectBuilder(body).remove(FALLBACKS);
        if (renamed) {
            b.add("model", named);
        }
        if (batchRenamed) {
            JsonArrayBuilder requests = JSON.createArrayBuilder();
            for (JsonValue r : body.getJsonArray("requests")) {
                requests.add(r instanceof JsonObject o && o.containsKey("model")
                        ? JSON.createObjectBuilder(o).add("model", named).build() : r);
            }
            b.add("requests", requests);
        }
        JsonObject json = b.build();
        return new UpstreamBody(json.toString().getBytes(StandardCharsets.UTF_8), json, true);
    }

    /** The client's body with only the model renamed when needed (formats that report usage unasked). */
    static UpstreamBody renamed(ProxyCall call, String upstreamModel) {
        if (upstreamModel.equals(call.model()) && !call.body().containsKey(FALLBACKS)) {
            return new UpstreamBody(call.rawBody(), call.body(), true);
        }
        JsonObject json = JSON.createObjectBuilder(call.body()).add("model", upstreamModel).remove(FALLBACKS).build();
        return new UpstreamBody(json.toString().getBytes(StandardCharsets.UTF_8), json, true);
    }

    static UpstreamBody of(ProxyCall call, String upstreamModel) {
        JsonObject body = call.body();
        boolean clientWantsUsage = body.get("stream_options") instanceof JsonObject o
                && o.getBoolean("include_usage", false);
        boolean renameModel = !upstreamModel.equals(call.model());
        boolean askUsage = call.stream() && call.operation().streams() && !clientWantsUsage;
        boolean fallbacks = body.containsKey(FALLBACKS);
        if (!renameModel && !askUsage && !fallbacks) {
            return new UpstreamBody(call.rawBody(), body, clientWantsUsage);
        }
        JsonObjectBuilder b = JSON.createObjectBuilder(body).remove(FALLBACKS);
        if (renameModel) {
            b.add("model", upstreamModel);
        }
        if (askUsage) {
            JsonObjectBuilder options = body.get("stream_options") instanceof JsonObject o
                    ? JSON.createObjectBuilder(o) : JSON.createObjectBuilder();
            b.add("stream_options", options.add("include_usage", true));
        }
        JsonObject json = b.build();
        if (askUsage && !renameModel && !fallbacks && !body.containsKey("stream_options")) {
            return new UpstreamBody(withUsageOption(call.rawBody()), json, clientWantsUsage);
        }
        return new UpstreamBody(json.toString().getBytes(StandardCharsets.UTF_8), json, clientWantsUsage);
    }

    private static final byte[] USAGE_OPTION = "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

    /**
     * The client's bytes with the usage option as the object's first member: the most common
     * change to a streaming body, made without writing the whole body out again.
     */
    static byte[] withUsageOption(byte[] raw) {
        int open = 0;
        while (raw[open] != '{') {
            open++; // the body parsed as an object, so only whitespace comes before its brace
        }
        int next = open + 1;
        while (next < raw.length && (raw[next] == ' ' || raw[next] == '\t' || raw[next] == '\n' || raw[next] == '\r')) {
            next++;
        }
        boolean empty = next < raw.length && raw[next] == '}';
        byte[] out = new byte[raw.length + USAGE_OPTION.length + (empty ? 0 : 1)];
        System.arraycopy(raw, 0, out, 0, open + 1);
        System.arraycopy(USAGE_OPTION, 0, out, open + 1, USAGE_OPTION.length);
        int at = open + 1 + USAGE_OPTION.length;
        if (!empty) {
            out[at++] = ',';
        }
        System.arraycopy(raw, open + 1, out, at, raw.length - open - 1);
        return out;
    }
}
