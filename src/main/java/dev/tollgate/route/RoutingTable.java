package dev.tollgate.route;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Routing page and {@code GET /admin/routing} show: every name a client can ask for, and
 * the credentials that serve it in the order they would be tried, each with its state; the
 * strategy in force and where it comes from; the credentials that take any other name.
 */
public record RoutingTable(TollgateConfig.Routing.Strategy strategy, boolean strategyFromDashboard,
                           List<Entry> models, List<CredentialStatus> anyOtherName) {

    /** One name a client can ask for: a model id, an alias, a prefixed name or a mapping. */
    public record Entry(String name, Optional<String> mappedTo, List<Step> routes) {
    }

    /** One credential on a name's path: the first is tried first, the others are its fallbacks. */
    public record Step(CredentialStatus credential, String upstreamModel, boolean first) {
    }

    public static RoutingTable of(Router router, List<ProviderCredential> credentials, Cooldowns cooldowns,
                                  boolean strategyFromDashboard, Instant now) {
        Map<String, CredentialStatus> states = new LinkedHashMap<>();
        CredentialStatus.of(credentials, cooldowns, now).forEach(c -> states.put(c.label(), c));
        List<Entry> entries = new ArrayList<>();
        for (Router.Listing l : router.listings()) {
            List<Step> steps = new ArrayList<>();
            List<Route> routes = router.preview(l.id());
            for (int i = 0; i < routes.size(); i++) {
                Route r = routes.get(i);
                steps.add(new Step(states.get(r.credential().label()), r.upstreamModel(), i == 0));
            }
            entries.add(new Entry(l.id(), Optional.ofNullable(router.mappings().get(l.id())), steps));
        }
        List<CredentialStatus> catchAll = new ArrayList<>();
        for (ProviderCredential c : credentials) {
            if (c.models().isEmpty() && c.prefix().isEmpty() && !c.disabled()) {
                catchAll.add(states.get(c.label()));
            }
        }
        return new RoutingTable(router.strategy(), strategyFromDashboard, entries, catchAll);
    }
}
