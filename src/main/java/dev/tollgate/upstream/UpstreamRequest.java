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
 */
public record UpstreamRequest(ProviderCredential credential, String path, byte[] body, JsonObject json,
                              boolean stream, Map<String, String> headers) {
    public UpstreamRequest {
        headers = Map.copyOf(headers);
    }
}
