package dev.tollgate.upstream;

import dev.tollgate.config.ProviderCredential;
import jakarta.json.JsonObject;
import java.util.Map;

/**
 * One call to a provider.
 *
 * @param path   the operation's path below the credential's base URL, e.g. {@code /chat/completions}
 * @param body   the exact bytes to send
 * @param json   the same body, parsed (providers that answer in-process read it)
 * @param headers client headers the provider must see (Anthropic's version and beta flags)
 * @param method  POST for model calls; GET or DELETE for a provider's stored state (then {@code body} is empty)
 */
public record UpstreamRequest(ProviderCredential credential, String path, byte[] body, JsonObject json,
                              boolean stream, Map<String, String> headers, String method) {
    public UpstreamRequest {
        headers = Map.copyOf(headers);
    }

    /** A model call: a POST. */
    public UpstreamRequest(ProviderCredential credential, String path, byte[] body, JsonObject json, boolean stream,
                           Map<String, String> headers) {
        this(credential, path, body, json, stream, headers, "POST");
    }
}
