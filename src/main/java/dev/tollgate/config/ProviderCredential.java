package dev.tollgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One upstream credential: a key at a base URL and the models it serves.
 *
 * @param provider  provider name shown in records and metrics ("openai", "codex", a compatibility name, a mock name)
 * @param wire      the wire format the upstream speaks
 * @param label     a human label for this credential that never contains the secret
 * @param apiKey    the secret, already decrypted; never logged
 * @param models    models this credential serves; empty means "any model not excluded"
 * @param prefix    optional routing prefix: "prefix/model" reaches this credential
 * @param mock      settings when {@code wire} is {@link Wire#MOCK}
 */
public record ProviderCredential(
        String provider,
        Wire wire,
        String label,
        String apiKey,
        URI baseUrl,
        List<ModelEntry> models,
        Optional<String> prefix,
        List<String> excludedModels,
        Map<String, String> headers,
        int weight,
        boolean disabled,
        Optional<MockSettings> mock) {

    public ProviderCredential {
        models = List.copyOf(models);
        excludedModels = List.copyOf(excludedModels);
        headers = Map.copyOf(headers);
    }

    /** The wire format a credential's upstream speaks. */
    public enum Wire {
        OPENAI,
        /** OpenAI's Responses API ({@code wire-api: responses}): chat calls are translated to it. */
        OPENAI_RESPONSES,
        ANTHROPIC,
        GEMINI,
        /** The built-in demo provider, answering in OpenAI's format. */
        MOCK;

        /** The request and response format on this wire: the mock speaks OpenAI's. */
        public Wire format() {
            return this == MOCK ? OPENAI : this;
        }
    }

    /** A model the credential serves, under its upstream id and optionally a client-facing alias. */
    public record ModelEntry(String id, Optional<String> alias) {
    }

    /** The built-in demo provider: deterministic text, with configurable latency and token counts. */
    public record MockSettings(Duration latency, Duration chunkDelay, int completionTokens) {
    }
}
