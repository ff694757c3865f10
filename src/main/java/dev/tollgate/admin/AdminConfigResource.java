package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;

/**
 * {@code GET /admin/config} (role tollgate-admin): the configuration in force, secrets redacted —
 * client keys are counted, upstream keys and header values never shown.
 */
@Path("/admin/config")
@Singleton
public final class AdminConfigResource {
    static final String REDACTED = "***";
    private final TollgateConfig config;

    @Inject
    public AdminConfigResource(TollgateConfig config) {
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String get() {
        JsonArrayBuilder credentials = JSON.createArrayBuilder();
        config.credentials().forEach(c -> credentials.add(credential(c)));
        JsonArrayBuilder networks = JSON.createArrayBuilder();
        config.ops().allowedNetworks().forEach(n -> networks.add(n.toString()));
        TollgateConfig.Persistence p = config.persistence();
        return JSON.createObjectBuilder()
                .add("source", config.source().map(Object::toString).orElse("(defaults: no file)"))
                .add("api_keys", config.apiKeys().size())
                .add("usage_statistics_enabled", config.usageStatisticsEnabled())
                .add("persistence", JSON.createObjectBuilder().add("enabled", p.enabled()).add("path", p.path().toString())
                        .add("buffer_size", p.bufferSize()).add("flush_interval_ms", p.flushInterval().toMillis())
                        .add("retention_days", p.retentionDays()).add("max_queued_records", p.maxQueuedRecords()))
                .add("request_retry", config.requestRetry())
                .add("timeouts_ms", JSON.createObjectBuilder().add("connect", config.timeouts().connect().toMillis())
                        .add("request", config.timeouts().request().toMillis())
                        .add("stream_idle", config.timeouts().streamIdle().toMillis())
                        .add("keepalive", config.timeouts().keepAlive().toMillis()))
                .add("max_body_bytes", config.input().maxBodyBytes())
                .add("ops", JSON.createObjectBuilder().add("allowed_networks", networks))
                .add("limits", JSON.createObjectBuilder()
                        .add("global", AdminJson.limits(config.quota().global().values()))
                        .add("reserve_output_tokens", config.quota().reserveOutputTokens()))
                .add("credentials", credentials)
                .build().toString();
    }

    private static JsonObjectBuilder credential(ProviderCredential c) {
        JsonArrayBuilder models = JSON.createArrayBuilder();
        c.models().forEach(m -> {
            JsonObjectBuilder entry = JSON.createObjectBuilder().add("id", m.id());
            m.alias().ifPresent(a -> entry.add("alias", a));
            models.add(entry);
        });
        JsonObjectBuilder headers = JSON.createObjectBuilder();
        c.headers().keySet().forEach(h -> headers.add(h, REDACTED));
        JsonArrayBuilder excluded = JSON.createArrayBuilder();
        c.excludedModels().forEach(excluded::add);
        JsonObjectBuilder b = JSON.createObjectBuilder().add("provider", c.provider()).add("label", c.label())
                .add("wire", c.wire().name().toLowerCase(Locale.ROOT)).add("base_url", c.baseUrl().toString())
                .add("api_key", c.apiKey().isEmpty() ? "" : REDACTED).add("models", models)
                .add("excluded_models", excluded).add("headers", headers).add("weight", c.weight())
                .add("disabled", c.disabled());
        c.prefix().ifPresent(p -> b.add("prefix", p));
        return b;
    }
}
