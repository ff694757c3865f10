package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.cost.Price;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.route.Route;
import dev.tollgate.route.Router;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;

/**
 * {@code GET /admin/models} (role tollgate-admin): every model a client can ask for by name, the
 * credentials that serve it, and the price each record of it will be charged at (USD per million tokens).
 */
@Path("/admin/models")
@Singleton
public final class AdminModelsResource {
    private final Gateway gateway;
    private final PriceTable prices;

    @Inject
    public AdminModelsResource(Gateway gateway, PriceTable prices) {
        this.gateway = gateway;
        this.prices = prices;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        JsonArrayBuilder data = JSON.createArrayBuilder();
        Router router = gateway.router(); // one config's routes throughout, even across a reload
        for (Router.Listing m : router.listings()) {
            JsonArrayBuilder routes = JSON.createArrayBuilder();
            for (Route r : router.routes(m.id())) {
                routes.add(JSON.createObjectBuilder().add("provider", r.credential().provider())
                        .add("credential", r.credential().label()).add("upstream_model", r.upstreamModel())
                        .add("price", price(r.upstreamModel())));
            }
            data.add(JSON.createObjectBuilder().add("id", m.id()).add("provider", m.ownedBy()).add("routes", routes));
        }
        return AdminJson.ok(JSON.createObjectBuilder().add("data", data).build());
    }

    private JsonValue price(String model) {
        return prices.find(model).<JsonValue>map(p -> price(p).build()).orElse(JsonValue.NULL);
    }

    private static JsonObjectBuilder price(Price p) {
        return JSON.createObjectBuilder().add("model", p.model())
                .add("input_per_million_usd", perMillion(p.input()))
                .add("output_per_million_usd", perMillion(p.output()))
                .add("cached_input_per_million_usd", perMillion(p.cachedInput()))
                .add("cache_write_5m_per_million_usd", perMillion(p.cacheWrite5m()))
                .add("cache_write_1h_per_million_usd", perMillion(p.cacheWrite1h()));
    }

    /** pico-USD per token is micro-USD per million tokens. */
    private static BigDecimal perMillion(long picoPerToken) {
        BigDecimal d = BigDecimal.valueOf(picoPerToken, 6).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }
}
