package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.route.Cooldowns;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /admin/providers} (role tollgate-admin): each credential's state on this instance:
 * {@code ok}, {@code cooling} (until when, after how many failures in a row, and the last error),
 * or {@code disabled}. Labels and base URLs only: keys and header values never appear.
 */
@Path("/admin/providers")
@Singleton
public final class AdminProvidersResource {
    private final TollgateConfig config;
    private final Cooldowns cooldowns;
    private final Clock clock;

    @Inject
    public AdminProvidersResource(TollgateConfig config, Cooldowns cooldowns, Clock clock) {
        this.config = config;
        this.cooldowns = cooldowns;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        Map<String, Cooldowns.State> trouble = cooldowns.snapshot();
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (ProviderCredential c : config.credentials()) {
            JsonObjectBuilder b = JSON.createObjectBuilder().add("provider", c.provider()).add("label", c.label())
                    .add("wire", c.wire().name().toLowerCase(Locale.ROOT)).add("base_url", c.baseUrl().toString());
            Cooldowns.State s = trouble.get(c.label());
            if (c.disabled()) {
                b.add("state", "disabled");
            } else if (s != null && s.until().isAfter(clock.instant())) {
                b.add("state", "cooling").add("cooling_until", s.until().toString());
            } else {
                b.add("state", "ok");
            }
            if (s != null) {
                b.add("failures_in_a_row", s.failures()).add("last_error", s.lastError());
            }
            data.add(b);
        }
        return AdminJson.ok(JSON.createObjectBuilder().add("instance_id", config.instanceId()).add("data", data).build());
    }
}
