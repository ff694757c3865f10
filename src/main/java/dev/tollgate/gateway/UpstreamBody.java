package dev.tollgate.gateway;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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
        return new UpstreamBody(json.toString().getBytes(StandardCharsets.UTF_8), json, clientWantsUsage);
    }
}
