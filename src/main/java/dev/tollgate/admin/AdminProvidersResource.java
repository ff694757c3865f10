package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.LiveConfig;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.CredentialStatus;
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

/**
 * {@code GET /admin/providers} (role tollgate-admin): each credential's state on this instance:
 * {@code ok}, {@code cooling} (until when, after how many failures in a row, and the last error),
 * or {@code disabled}. Labels and base URLs only: keys and header values never appear.
 */
@Path("/admin/providers")
@Singleton
public final class AdminProvidersResource {
    private final LiveConfig config;
    private final Cooldowns cooldowns;
    private final Clock clock;

    @Inject
    public AdminProvidersResource(LiveConfig config, Cooldowns cooldowns, Clock clock) {
        this.config = config;
        this.cooldowns = cooldowns;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (CredentialStatus c : CredentialStatus.of(config.get().credentials(), cooldowns, clock.instant())) {
            JsonObjectBuilder b = JSON.createObjectBuilder().add("provider", c.provider()).add("label", c.label())
                    .add("wire", c.wire()).add("base_url", c.baseUrl()).add("state", c.state());
            if (c.coolingUntil() != null) {
                b.add("cooling_until", c.coolingUntil().toString());
            }
            if (c.troubled()) {
                b.add("failures_in_a_row", c.failuresInARow()).add("last_error", c.lastError());
            }
            data.add(b);
        }
        return AdminJson.ok(JSON.createObjectBuilder().add("instance_id", config.get().instanceId()).add("data", data).build());
    }
}
