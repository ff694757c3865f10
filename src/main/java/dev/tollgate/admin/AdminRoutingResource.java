package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.CredentialStatus;
import dev.tollgate.route.RoutingTable;
import dev.tollgate.route.StoredCredentials;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /admin/routing}: every name a client can ask for, the credentials that serve it in the
 * order they would be tried (with their state), and the strategy in force. {@code PUT /admin/routing}
 * {@code {"strategy": "fill-first"}} chooses the strategy for the whole fleet over the file's;
 * {@code {"strategy": null}} gives it back to the file. Role tollgate-admin.
 */
@Path("/admin/routing")
@Singleton
public final class AdminRoutingResource {
    private final Gateway gateway;
    private final LiveConfig config;
    private final StoredCredentials stored;
    private final Cooldowns cooldowns;
    private final Clock clock;

    @Inject
    public AdminRoutingResource(Gateway gateway, LiveConfig config, StoredCredentials stored, Cooldowns cooldowns, Clock clock) {
        this.gateway = gateway;
        this.config = config;
        this.stored = stored;
        this.cooldowns = cooldowns;
        this.clock = clock;
    }

    /** The routing table as this instance sees it now. */
    public static RoutingTable table(Gateway gateway, LiveConfig config, StoredCredentials stored, Cooldowns cooldowns,
                                     Clock clock) {
        return RoutingTable.of(gateway.router(), stored.after(config.get().credentials()), cooldowns,
                stored.strategy().isPresent(), clock.instant());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        RoutingTable t = table(gateway, config, stored, cooldowns, clock);
        JsonArrayBuilder models = JSON.createArrayBuilder();
        for (RoutingTable.Entry e : t.models()) {
            JsonArrayBuilder routes = JSON.createArrayBuilder();
            e.routes().forEach(s -> routes.add(state(s.credential()).add("upstream_model", s.upstreamModel())
                    .add("role", s.first() ? "first" : "fallback")));
            JsonObjectBuilder m = JSON.createObjectBuilder().add("model", e.name()).add("routes", routes);
            e.mappedTo().ifPresent(to -> m.add("mapped_to", to));
            models.add(m);
        }
        JsonArrayBuilder any = JSON.createArrayBuilder();
        t.anyOtherName().forEach(c -> any.add(state(c)));
        return AdminJson.ok(JSON.createObjectBuilder().add("strategy", name(t.strategy()))
                .add("strategy_source", t.strategyFromDashboard() ? "dashboard" : "file")
                .add("file_strategy", name(config.get().routing().strategy()))
                .add("models", models).add("any_other_name", any).build());
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response put(String body) {
        return AdminJson.respond(() -> {
            JsonObject o = AdminJson.body(body, Set.of("strategy"));
            if (!o.containsKey("strategy")) {
                throw AdminJson.invalid("'strategy' is required: round-robin, fill-first, or null for the file's");
            }
            Optional<TollgateConfig.Routing.Strategy> chosen = o.get("strategy") == JsonValue.NULL ? Optional.empty()
                    : Optional.of(strategy(AdminJson.string(o, "strategy").orElseThrow()));
            stored.strategy(chosen);
            return get();
        });
    }

    private static TollgateConfig.Routing.Strategy strategy(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "round-robin" -> TollgateConfig.Routing.Strategy.ROUND_ROBIN;
            case "fill-first" -> TollgateConfig.Routing.Strategy.FILL_FIRST;
            default -> throw AdminJson.invalid("strategy must be round-robin or fill-first, got '" + text + "'");
        };
    }

    static String name(TollgateConfig.Routing.Strategy s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static JsonObjectBuilder state(CredentialStatus c) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("label", c.label()).add("provider", c.provider())
                .add("state", c.state());
        if (c.coolingUntil() != null) {
            b.add("cooling_until", c.coolingUntil().toString());
        }
        return b;
    }
}
