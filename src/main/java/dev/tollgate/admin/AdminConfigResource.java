package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.ConfigReloader;
import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.ops.HealthResource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /admin/config} (role tollgate-admin): the configuration in force, secrets redacted —
 * client keys are counted, upstream keys and header values never shown.
 */
@Path("/admin/config")
@Singleton
public final class AdminConfigResource {
    static final String REDACTED = "***";
    private final LiveConfig live;
    private final ConfigReloader reloader;

    @Inject
    public AdminConfigResource(LiveConfig live, ConfigReloader reloader) {
        this.live = live;
        this.reloader = reloader;
    }

    /**
     * {@code POST /admin/config/reload}: reads the file now. 200 with {@code reloaded} (and the changes
     * that wait for a restart) or {@code unchanged}; 422 with the error, its key and line, when the
     * file is refused (the running config stays); 409 when the gateway runs without a file.
     */
    @POST
    @Path("reload")
    @Produces(MediaType.APPLICATION_JSON)
    public Response reload() {
        JsonObjectBuilder body = JSON.createObjectBuilder();
        ConfigReloader.Outcome outcome = reloader.reload();
        int status = 200;
        if (outcome instanceof ConfigReloader.Outcome.Applied a) {
            JsonArrayBuilder restart = JSON.createArrayBuilder();
            a.restartNeeded().forEach(restart::add);
            body.add("result", "reloaded").add("hash", a.hash()).add("restart_needed", restart);
        } else if (outcome instanceof ConfigReloader.Outcome.Unchanged u) {
            body.add("result", "unchanged").add("hash", u.hash());
        } else if (outcome instanceof ConfigReloader.Outcome.Refused r) {
            body.add("result", "refused").add("error", r.error());
            status = 422;
        } else {
            body.add("result", "no_file").add("error", "the gateway runs on defaults: there is no config file to reload");
            status = 409;
        }
        return Response.status(status).entity(body.add("config", HealthResource.config(live.status())).build().toString())
                .type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String get() {
        TollgateConfig config = live.get();
        JsonArrayBuilder credentials = JSON.createArrayBuilder();
        config.credentials().forEach(c -> credentials.add(credential(c)));
        JsonArrayBuilder networks = JSON.createArrayBuilder();
        config.ops().allowedNetworks().forEach(n -> networks.add(n.toString()));
        TollgateConfig.Persistence p = config.persistence();
        return JSON.createObjectBuilder()
                .add("source", config.source().map(Object::toString).orElse("(defaults: no file)"))
                .add("status", HealthResource.config(live.status()))
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

    /** A credential as the Providers API describes it, with the secret fields present but redacted. */
    private static JsonObjectBuilder credential(ProviderCredential c) {
        JsonObjectBuilder headers = JSON.createObjectBuilder();
        c.headers().keySet().forEach(h -> headers.add(h, REDACTED));
        return AdminProvidersResource.describe(c).add("api_key", c.apiKey().isEmpty() ? "" : REDACTED).add("headers", headers);
    }
}
