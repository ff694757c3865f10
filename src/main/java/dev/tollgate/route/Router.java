package dev.tollgate.route;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.ModelEntry;
import dev.tollgate.config.TollgateConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a requested model name into the credentials that can serve it, best first.
 * Matching, first rule that yields any: a listed model id or alias; {@code prefix/name} on the
 * credential with that prefix; then, unless the name's prefix belongs to a credential, credentials
 * with no model list and no prefix (they take any name). Disabled
 * credentials and {@code excluded-models} never match. Among equals, a weighted rotation spreads load
 * (round-robin) or config order holds (fill-first); the rest follow as fallbacks for retries, and
 * credentials cooling down after a failure come last.
 */
public final class Router {
    private final List<Candidate> candidates;
    private final Map<String, AtomicLong> rotation = new ConcurrentHashMap<>();
    private final TollgateConfig.Routing.Strategy strategy;
    private final Cooldowns cooldowns;
    private final Map<String, String> mappings;

    private record Candidate(ProviderCredential credential, List<Glob> excluded) {
        boolean excludes(String model) {
            return excluded.stream().anyMatch(g -> g.matches(model));
        }

        Optional<String> listed(String name) {
            for (ModelEntry m : credential.models()) {
                if (m.id().equals(name) || m.alias().filter(name::equals).isPresent()) {
                    return Optional.of(m.id());
                }
            }
            for (ModelEntry m : credential.models()) {
                if (Glob.isPattern(m.id()) && new Glob(m.id()).matches(name)) {
                    return Optional.of(name); // a wildcard entry serves the name as asked
                }
            }
            return Optional.empty();
        }
    }

    /** A model a caller can ask for, and the provider behind it. */
    public record Listing(String id, String ownedBy) {
    }

    /** Round robin with no cooldowns: for tests and tools that only match names. */
    public Router(List<ProviderCredential> credentials) {
        this(credentials, TollgateConfig.Routing.Strategy.ROUND_ROBIN,
                new Cooldowns(Duration.ZERO, Duration.ZERO, Clock.systemUTC()));
    }

    public Router(List<ProviderCredential> credentials, TollgateConfig.Routing.Strategy strategy, Cooldowns cooldowns) {
        this(credentials, strategy, cooldowns, Map.of());
    }

    /**
     * @param mappings explicit names: {@code gpt-4 -> openai/gpt-4} (routed as that name) or
     *                 {@code gemini-pro -> gemini:gemini-2.5-pro} (that model on that provider's credentials)
     */
    public Router(List<ProviderCredential> credentials, TollgateConfig.Routing.Strategy strategy, Cooldowns cooldowns,
                  Map<String, String> mappings) {
        this.strategy = strategy;
        this.cooldowns = cooldowns;
        this.mappings = Map.copyOf(mappings);
        List<Candidate> list = new ArrayList<>();
        for (ProviderCredential c : credentials) {
            if (!c.disabled()) {
                list.add(new Candidate(c, c.excludedModels().stream().map(Glob::new).toList()));
            }
        }
        this.candidates = List.copyOf(list);
    }

    /** The routes for {@code requested}, preferred first; empty when no credential serves it. */
    public List<Route> routes(String requested) {
        return resolve(requested, true);
    }

    /**
     * The routes a call for {@code requested} could take, for operators to look at: in config order
     * (round-robin picks the first among them by weight, call by call), credentials cooling down
     * last. Looking moves no rotation.
     */
    public List<Route> preview(String requested) {
        return resolve(requested, false);
    }

    public TollgateConfig.Routing.Strategy strategy() {
        return strategy;
    }

    /** Explicit names ({@code model-mappings}): the name a client asks for, and what it is routed as. */
    public Map<String, String> mappings() {
        return mappings;
    }

    private List<Route> resolve(String requested, boolean rotate) {
        String mapped = mappings.get(requested);
        if (mapped != null) {
            int colon = mapped.indexOf(':');
            String provider = colon > 0 ? mapped.substring(0, colon) : null;
            if (provider != null && candidates.stream().anyMatch(c -> c.credential().provider().equals(provider))) {
                String model = mapped.substring(colon + 1);
                List<Route> onProvider = new ArrayList<>();
                for (Candidate c : candidates) {
                    if (c.credential().provider().equals(provider) && !c.excludes(model)) {
                        onProvider.add(new Route(c.credential(), c.listed(model).orElse(model)));
                    }
                }
                return order(mapped, onProvider, rotate);
            }
            requested = mapped;
        }
        List<Route> matched = listed(requested);
        if (matched.isEmpty()) {
            matched = prefixed(requested);
        }
        if (matched.isEmpty() && !claimedPrefix(requested)) {
            matched = catchAll(requested); // a name under a known prefix stays with that prefix's credentials
        }
        return order(requested, matched, rotate);
    }

    private List<Route> order(String requested, List<Route> matched, boolean rotate) {
        List<Route> ordered = strategy == TollgateConfig.Routing.Strategy.FILL_FIRST || !rotate ? matched : rotate(requested, matched);
        return restedLast(ordered);
    }

    /** Credentials cooling down go after the others (soonest back first): tried only when nothing else is left. */
    private List<Route> restedLast(List<Route> routes) {
        if (routes.size() < 2 && routes.stream().noneMatch(r -> cooldowns.cooling(r.credential()))) {
            return routes;
        }
        List<Route> ready = new ArrayList<>();
        List<Route> resting = new ArrayList<>();
        for (Route r : routes) {
            (cooldowns.cooling(r.credential()) ? resting : ready).add(r);
        }
        resting.sort(Comparator.comparing(r -> cooldowns.until(r.credential())));
        ready.addAll(resting);
        return ready;
    }

    /** Every name a caller can ask for by name (catch-all credentials add no names). */
    /** The credentials this router routes to, in the config's order, disabled ones left out. */
    public List<ProviderCredential> credentials() {
        return candidates.stream().map(c -> c.credential()).filter(c -> !c.disabled()).distinct().toList();
    }

    public List<Listing> listings() {
        Map<String, Listing> out = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            for (ModelEntry m : c.credential().models()) {
                if (c.excludes(m.id()) || Glob.isPattern(m.id())) {
                    continue;
                }
                Set<String> names = new LinkedHashSet<>();
                names.add(m.id());
                m.alias().ifPresent(names::add);
                c.credential().prefix().ifPresent(p -> names.add(p + "/" + m.id()));
                names.forEach(n -> out.putIfAbsent(n, new Listing(n, c.credential().provider())));
            }
        }
        mappings.keySet().forEach(n -> out.putIfAbsent(n, new Listing(n, "mapping")));
        return List.copyOf(out.values());
    }

    private List<Route> listed(String requested) {
        List<Route> out = new ArrayList<>();
        for (Candidate c : candidates) {
            c.listed(requested).filter(id -> !c.excludes(id)).ifPresent(id -> out.add(new Route(c.credential(), id)));
        }
        return out;
    }

    private List<Route> prefixed(String requested) {
        int slash = requested.indexOf('/');
        if (slash <= 0 || slash == requested.length() - 1) {
            return List.of();
        }
        String prefix = requested.substring(0, slash);
        String rest = requested.substring(slash + 1);
        List<Route> out = new ArrayList<>();
        for (Candidate c : candidates) {
            if (!c.credential().prefix().filter(prefix::equals).isPresent()) {
                continue;
            }
            Optional<String> upstream = c.credential().models().isEmpty() ? Optional.of(rest) : c.listed(rest);
            upstream.filter(id -> !c.excludes(id)).ifPresent(id -> out.add(new Route(c.credential(), id)));
        }
        return out;
    }

    private boolean claimedPrefix(String requested) {
        int slash = requested.indexOf('/');
        String prefix = slash > 0 ? requested.substring(0, slash) : null;
        return prefix != null && candidates.stream().anyMatch(c -> c.credential().prefix().filter(prefix::equals).isPresent());
    }

    private List<Route> catchAll(String requested) {
        List<Route> out = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.credential().models().isEmpty() && c.credential().prefix().isEmpty() && !c.excludes(requested)) {
                out.add(new Route(c.credential(), requested));
            }
        }
        return out;
    }

    /** Weighted rotation: the first route is chosen in proportion to weight, the others keep config order. */
    private List<Route> rotate(String requested, List<Route> routes) {
        if (routes.size() < 2) {
            return routes;
        }
        int totalWeight = routes.stream().mapToInt(r -> r.credential().weight()).sum();
        long slot = Math.floorMod(rotation.computeIfAbsent(requested, k -> new AtomicLong()).getAndIncrement(),
                totalWeight);
        int first = 0;
        for (int i = 0; i < routes.size(); i++) {
            slot -= routes.get(i).credential().weight();
            if (slot < 0) {
                first = i;
                break;
            }
        }
        List<Route> ordered = new ArrayList<>(routes.size());
        ordered.add(routes.get(first));
        for (int i = 0; i < routes.size(); i++) {
            if (i != first) {
                ordered.add(routes.get(i));
            }
        }
        return ordered;
    }
}
