package dev.tollgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One upstream credential: a key at a base URL and the models it serves.
 *
 * @param provider  provider name shown in records and metrics ("openai", "codex", a compatibility name, a mock name)
 * @param wire      the wire format chat calls in another format are translated to
 * @param label     a human label for this credential that never contains the secret
 * @param apiKey    the secret, already decrypted; never logged
 * @param models    models this credential serves; empty means "any model not excluded"
 * @param prefix    optional routing prefix: "prefix/model" reaches this credential
 * @param settings  what its wire needs beyond a key and a URL (the mock's behaviour, Azure's deployments)
 * @param proxy     the HTTP proxy its calls go through ({@code proxy-url}); empty: straight to the upstream
 * @param apis      every wire its upstream serves natively, {@code wire} among them: a call in one of
 *                  their formats passes through untranslated
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
        WireSettings settings,
        Optional<URI> proxy,
        Set<Wire> apis) {

    public ProviderCredential {
        models = List.copyOf(models);
        apis = apis.isEmpty() ? Set.of(wire) : Set.copyOf(apis);
        if (!apis.contains(wire)) {
            throw new IllegalArgumentException("a credential's translation target must be one of its APIs: " + wire);
        }
        excludedModels = List.copyOf(excludedModels);
        headers = Map.copyOf(headers);
    }

    /** A credential whose upstream serves its one wire and nothing else. */
    public ProviderCredential(String provider, Wire wire, String label, String apiKey, URI baseUrl, List<ModelEntry> models,
                              Optional<String> prefix, List<String> excludedModels, Map<String, String> headers, int weight,
                              boolean disabled, WireSettings settings, Optional<URI> proxy) {
        this(provider, wire, label, apiKey, baseUrl, models, prefix, excludedModels, headers, weight, disabled, settings,
                proxy, Set.of(wire));
    }

    /** The same credential under another label (one kept in the database is labelled by its id). */
    public ProviderCredential withLabel(String newLabel) {
        return new ProviderCredential(provider, wire, newLabel, apiKey, baseUrl, models, prefix, excludedModels, headers,
                weight, disabled, settings, proxy, apis);
    }

    /**
     * The wire this credential serves a call in {@code format} on natively (Azure's and the mock's
     * for OpenAI's chat format); empty when the call must be translated to {@link #wire}.
     */
    public Optional<Wire> speaking(Wire format) {
        return apis.stream().filter(w -> w.format() == format).findFirst();
    }

    /**
     * The wire format a credential's upstream speaks, with what the config and the HTTP client need
     * of it: the format its bodies are in, where its provider lives by default, and how it is
     * authenticated. The call pipeline's side of each wire is its dialect ({@code gateway.Dialect}).
     */
    public enum Wire {
        OPENAI(null, "https://api.openai.com/v1", Wire::bearer),
        /** OpenAI's Responses API ({@code wire-api: responses}): chat calls are translated to it. */
        OPENAI_RESPONSES(null, "https://api.openai.com/v1", Wire::bearer),
        /** Sends Anthropic's API version 2023-06-01 unless the client named its own. */
        ANTHROPIC(null, "https://api.anthropic.com", key -> Map.of("x-api-key", key, "anthropic-version", "2023-06-01")),
        GEMINI(null, "https://generativelanguage.googleapis.com", key -> Map.of("x-goog-api-key", key)),
        /** Azure OpenAI: OpenAI's bodies at deployment URLs of the operator's own resource, keyed by {@code api-key}. */
        AZURE_OPENAI(OPENAI, null, key -> Map.of("api-key", key)),
        /** The built-in demo provider, answering in OpenAI's format. */
        MOCK(OPENAI, null, key -> Map.of());

        private final Wire format;
        private final Optional<URI> defaultBaseUrl;
        private final Function<String, Map<String, String>> auth;

        /** @param format the wire whose bodies this one speaks; null for itself */
        Wire(Wire format, String defaultBaseUrl, Function<String, Map<String, String>> auth) {
            this.format = format;
            this.defaultBaseUrl = Optional.ofNullable(defaultBaseUrl).map(URI::create);
            this.auth = auth;
        }

        /** The request and response format on this wire: Azure and the mock speak OpenAI's. */
        public Wire format() {
            return format == null ? this : format;
        }

        /** Where the provider lives when the config names no base URL; empty when each operator has their own. */
        public Optional<URI> defaultBaseUrl() {
            return defaultBaseUrl;
        }

        /** The headers that authenticate a call with {@code apiKey}; none for an empty key (a local server). */
        public Map<String, String> authHeaders(String apiKey) {
            return apiKey.isEmpty() ? Map.of() : auth.apply(apiKey);
        }

        private static Map<String, String> bearer(String key) {
            return Map.of("Authorization", "Bearer " + key);
        }
    }

    /** A model the credential serves, under its upstream id and optionally a client-facing alias. */
    public record ModelEntry(String id, Optional<String> alias) {
    }

    /** What a credential's wire needs beyond a key and a URL. */
    public sealed interface WireSettings permits WireSettings.None, MockSettings, AzureSettings, AnthropicSettings {
        /** A wire that needs nothing more. */
        enum None implements WireSettings {
            INSTANCE
        }
    }

    /**
     * Anthropic: whether chat calls translated from other formats get cache marks on their stable
     * prefix ({@code prompt-cache: auto}), as an Anthropic client would set them itself.
     */
    public record AnthropicSettings(boolean promptCache) implements WireSettings {
    }

    /** The built-in demo provider: deterministic text, with configurable latency and token counts. */
    public record MockSettings(Duration latency, Duration chunkDelay, int completionTokens) implements WireSettings {
    }

    /**
     * An Azure OpenAI resource: the API version every call names, and the deployment that runs each
     * model (clients ask for the model, records are priced by it; the URL names the deployment).
     */
    public record AzureSettings(String apiVersion, Map<String, String> deployments) implements WireSettings {
        public AzureSettings {
            deployments = Map.copyOf(deployments);
        }

        /** The deployment that runs {@code model}; a model without one is taken to be deployed under its own name. */
        public String deployment(String model) {
            return deployments.getOrDefault(model, model);
        }
    }
}
