package dev.tollgate.dashboard;

import dev.tollgate.access.Accounts;
import dev.tollgate.access.ClientKey;
import dev.tollgate.admin.AdminProvidersResource;
import dev.tollgate.admin.AdminRoutingResource;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.json.Jsons;
import dev.tollgate.logs.LogQuery;
import dev.tollgate.logs.LogReader;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.logs.SearchQuery;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsReport;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.metrics.UsageLog;
import dev.tollgate.ops.LogBuffer;
import dev.tollgate.ops.SystemStatus;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.CredentialStatus;
import dev.tollgate.route.RoutingTable;
import dev.tollgate.route.StoredCredentials;
import dev.tollgate.usage.StatusRange;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Level;

/**
 * The dashboard under {@code /_qs/metrics/ui}, behind the container's login (web.xml: viewers
 * and admins; the keys page admins only): server-rendered pages from the same services as the
 * operator and admin APIs, and the static assets, Chart.js from its WebJar (the live feed is
 * {@link LiveFeedServlet}).
 */
@Path("/_qs/metrics/ui")
@Singleton
public final class DashboardResource {
    static final String ADMIN_ROLE = "tollgate-admin";
    private static final int PAGE_SIZE = 50;
    private static final Map<String, String> ASSETS = Map.of(
            "dashboard.css", "dashboard/assets/dashboard.css",
            "dashboard.js", "dashboard/assets/dashboard.js",
            "chart.umd.min.js", "META-INF/resources/webjars/chart.js/" + webjarVersion("chart.js") + "/dist/chart.umd.min.js");

    /** How the Keys page names each kind of limit. */
    private static final Map<LimitSet.Kind, String> LIMIT_LABELS = Map.of(
            LimitSet.Kind.REQUESTS_PER_MINUTE, "Requests / minute", LimitSet.Kind.REQUESTS_PER_DAY, "Requests / day",
            LimitSet.Kind.TOKENS_PER_MINUTE, "Tokens / minute", LimitSet.Kind.TOKENS_PER_DAY, "Tokens / day",
            LimitSet.Kind.TOTAL_TOKENS, "Tokens in total", LimitSet.Kind.BUDGET_USD_PER_DAY, "Budget USD / day",
            LimitSet.Kind.BUDGET_USD_PER_MONTH, "Budget USD / month", LimitSet.Kind.MAX_CONCURRENT, "Calls at once");

    private final MetricsService metrics;
    private final UsageLog log;
    private final LiveConfig config;
    private final Cooldowns cooldowns;
    private final Accounts accounts;
    private final Pages pages;
    private final Clock clock;
    private final LogSearch logSearch;
    private final LogReader logReader;
    private final SystemStatus system;
    private final LogBuffer gatewayLog;
    private final StoredCredentials stored;
    private final Gateway gateway;

    @Inject
    public DashboardResource(MetricsService metrics, UsageLog log, LiveConfig config, Cooldowns cooldowns,
                             Accounts accounts, Pages pages, Clock clock, LogSearch logSearch, LogReader logReader,
                             SystemStatus system, LogBuffer gatewayLog, StoredCredentials stored, Gateway gateway) {
        this.stored = stored;
        this.gateway = gateway;
        this.system = system;
        this.gatewayLog = gatewayLog;
        this.logSearch = logSearch;
        this.logReader = logReader;
        this.metrics = metrics;
        this.log = log;
        this.config = config;
        this.cooldowns = cooldowns;
        this.accounts = accounts;
        this.pages = pages;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response overview(@QueryParam("range") String range, @QueryParam("from") String from,
                             @QueryParam("to") String to, @QueryParam("model") String model,
                             @Context HttpServletRequest request) {
        Map<String, Object> m = common(request, "overview");
        Instant now = clock.instant();
        TimeRange period = TimeRange.of(range, from, to, now);
        m.put("period", period);
        m.put("model", model == null ? "" : model);
        try {
            MetricsReport report = metrics.report(period.query(model, now));
            m.put("report", report);
            // the model picker offers every model of the period, whatever the current filter
            m.put("models", model == null || model.isBlank() ? report.byModel()
                    : metrics.report(period.query(null, now)).byModel());
            return html("overview", m, 200);
        } catch (MetricsQuery.InvalidQuery e) {
            m.put("error", e.getMessage());
            return html("overview", m, 400);
        }
    }

    @GET
    @Path("requests")
    @Produces(MediaType.TEXT_HTML)
    public Response requests(@QueryParam("range") String range, @QueryParam("from") String from,
                             @QueryParam("to") String to, @QueryParam("model") String model,
                             @QueryParam("key") String key, @QueryParam("status") String status,
                             @QueryParam("page") String page, @Context HttpServletRequest request) {
        Map<String, Object> m = common(request, "requests");
        Instant now = clock.instant();
        TimeRange period = TimeRange.of(range, from, to, now);
        int p = page == null || !page.matches("\\d{1,6}") ? 1 : Math.max(1, Integer.parseInt(page));
        m.put("period", period);
        m.put("model", model == null ? "" : model);
        m.put("key", key == null ? "" : key);
        m.put("status", status == null ? "" : status);
        m.put("page", p);
        try {
            MetricsQuery q = period.query(model, now);
            UsageLog.Filter filter = new UsageLog.Filter(
                    Optional.ofNullable(key).filter(k -> !k.isBlank()).map(MetricsQuery.Scope::apiKeyMasked),
                    q.from(), q.to(), q.model(), parseStatus(status));
            List<UsageLog.Entry> rows = log.find(filter, PAGE_SIZE, (long) (p - 1) * PAGE_SIZE);
            m.put("hasMore", rows.size() > PAGE_SIZE);
            m.put("rows", rows.subList(0, Math.min(rows.size(), PAGE_SIZE)));
            m.put("filtered", filter.scope().isPresent() || filter.model().isPresent() || filter.status().isPresent());
            return html("requests", m, 200);
        } catch (MetricsQuery.InvalidQuery | IllegalArgumentException e) {
            m.put("error", e.getMessage());
            m.put("rows", List.of());
            m.put("hasMore", false);
            m.put("filtered", true);
            return html("requests", m, 400);
        }
    }

    @GET
    @Path("providers")
    @Produces(MediaType.TEXT_HTML)
    public Response providers(@Context HttpServletRequest request) {
        Map<String, Object> m = common(request, "providers");
        List<ProviderCredential> all = stored.after(config.get().credentials());
        m.put("credentials", CredentialStatus.of(all, cooldowns, clock.instant()));
        Map<String, Object> ids = new HashMap<>();
        stored.all().forEach(s -> ids.put(s.credential().label(), s.id()));
        m.put("storedIds", ids);
        Map<String, Object> details = new HashMap<>();
        all.forEach(c -> details.put(c.label(), Jsons.plain(AdminProvidersResource.describe(c).build())));
        m.put("details", details);
        m.put("writable", stored.writable());
        return html("providers", m, 200);
    }

    /** Every name a client can ask for and the credentials behind it, in the order they would be tried. */
    @GET
    @Path("routing")
    @Produces(MediaType.TEXT_HTML)
    public Response routing(@Context HttpServletRequest request) {
        Map<String, Object> m = common(request, "routing");
        RoutingTable t = AdminRoutingResource.table(gateway, config, stored, cooldowns, clock);
        m.put("table", t);
        m.put("strategy", t.strategy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("fileStrategy", config.get().routing().strategy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return html("routing", m, 200);
    }

    @GET
    @Path("keys")
    @Produces(MediaType.TEXT_HTML)
    public Response keys(@Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) { // web.xml says so too; this holds if a deployment loosens it
            return Response.status(403).type(MediaType.TEXT_PLAIN).entity("The keys and users page is for tollgate-admin.\n")
                    .build();
        }
        Map<String, Object> m = common(request, "keys");
        Instant now = clock.instant();
        m.put("users", accounts.users());
        List<Map<String, Object>> keys = accounts.keys().stream().map(k -> keyRow(k, now)).toList();
        m.put("keys", keys);
        m.put("limitKinds", Arrays.stream(LimitSet.Kind.values()).map(k -> Map.of("key", k.jsonKey(), "money", k.money(),
                "label", LIMIT_LABELS.get(k))).toList());
        return html("keys", m, 200);
    }

    /** This instance, its config file (with a reload button) and the fleet's instances with their config hashes. */
    @GET
    @Path("system")
    @Produces(MediaType.TEXT_HTML)
    public Response system(@Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) {
            return adminsOnly();
        }
        Map<String, Object> m = common(request, "system");
        Instant now = clock.instant();
        m.put("status", Jsons.plain(system.json(now)));
        return html("system", m, 200);
    }

    /** The gateway's recent log lines, secrets masked when kept; the page follows new lines live. */
    @GET
    @Path("gateway-log")
    @Produces(MediaType.TEXT_HTML)
    public Response gatewayLog(@QueryParam("level") String level, @QueryParam("q") String q,
                               @Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) {
            return adminsOnly();
        }
        Map<String, Object> m = common(request, "gateway-log");
        Level min = "WARNING".equals(level) || "SEVERE".equals(level) ? Level.parse(level) : Level.INFO;
        String text = q == null ? "" : q.length() > 200 ? q.substring(0, 200) : q;
        List<LogBuffer.Line> lines = gatewayLog.since(0, min, text, 500);
        m.put("lines", lines);
        m.put("last", lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq());
        m.put("level", min.getName());
        m.put("q", text);
        m.put("capacity", LogBuffer.CAPACITY);
        return html("gateway-log", m, 200);
    }

    /** The request log's search (admins only: prompts are sensitive). */
    @GET
    @Path("logs")
    @Produces(MediaType.TEXT_HTML)
    public Response logs(@Context UriInfo uri, @Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) {
            return adminsOnly();
        }
        Map<String, Object> m = common(request, "logs");
        m.put("enabled", config.get().logs().enabled());
        for (String p : new String[] {"q", "from", "to", "model", "key", "user", "status", "provider", "sort"}) {
            String v = uri.getQueryParameters().getFirst(p);
            m.put("f_" + p, v == null ? "" : v);
        }
        m.put("results", List.of());
        try {
            LogSearch.Page page = logSearch.search(LogQuery.parse(uri.getQueryParameters()::getFirst));
            m.put("results", page.hits());
            m.put("next", page.nextCursor() == null ? "" : page.nextCursor());
            return html("logs", m, 200);
        } catch (IllegalArgumentException e) {
            m.put("error", (e instanceof SearchQuery.BadQuery ? "Query: " : "") + e.getMessage());
            m.put("next", "");
            return html("logs", m, 400);
        }
    }

    /** One logged call as a transcript, with its usage, cost and timing. */
    @GET
    @Path("logs/{id}")
    @Produces(MediaType.TEXT_HTML)
    public Response logEntry(@PathParam("id") String id, @Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) {
            return adminsOnly();
        }
        Map<String, Object> m = common(request, "logs");
        Optional<JsonObject> entry = id.length() > 256 ? Optional.empty() : logReader.entry(id);
        if (entry.isEmpty()) {
            m.put("error", "No logged call has this id.");
            return html("log", m, 404);
        }
        JsonObject e = entry.get();
        m.put("entry", facts(e));
        m.put("usage", e.get("usage") instanceof JsonObject u ? facts(u) : Map.of());
        m.put("flags", e.getJsonObject("flags").entrySet().stream().filter(f -> f.getValue() == JsonValue.TRUE)
                .map(Map.Entry::getKey).toList());
        m.put("turns", TranscriptView.of(e.get("request"), e.get("response")));
        m.put("requestJson", e.get("request").toString());
        m.put("responseJson", e.get("response").toString());
        return html("log", m, 200);
    }

    /** One conversation as a transcript: each call's new turns and answer, the call it continues, branches, totals. */
    @GET
    @Path("conversations/{id}")
    @Produces(MediaType.TEXT_HTML)
    public Response conversation(@PathParam("id") String id, @Context HttpServletRequest request) {
        if (!request.isUserInRole(ADMIN_ROLE)) {
            return adminsOnly();
        }
        Map<String, Object> m = common(request, "logs");
        Optional<JsonObject> found = id.length() > 256 ? Optional.empty() : logReader.conversation(id);
        if (found.isEmpty()) {
            m.put("error", "No conversation has this id.");
            return html("conversation", m, 404);
        }
        JsonObject c = found.get();
        m.put("conversation", facts(c));
        m.put("caller", facts(c.getJsonObject("caller")));
        m.put("totals", facts(c.getJsonObject("totals")));
        List<ConversationView.Call> calls = ConversationView.of(c, logReader::entry);
        m.put("calls", calls);
        m.put("more", c.getJsonArray("turns").size() > calls.size() || c.getBoolean("more_turns"));
        return html("conversation", m, 200);
    }

    /** A JSON object's fields as text for a page: strings as they are, null as a dash. */
    private static Map<String, String> facts(JsonObject o) {
        Map<String, String> out = new HashMap<>();
        o.forEach((k, v) -> out.put(k, v instanceof JsonString str ? str.getString()
                : v.getValueType() == JsonValue.ValueType.NULL ? "—" : v.toString()));
        return out;
    }

    private static Response adminsOnly() { // web.xml says so too; this holds if a deployment loosens it
        return Response.status(403).type(MediaType.TEXT_PLAIN).entity("This page is for tollgate-admin.\n").build();
    }

    @GET
    @Path("assets/{name}")
    public Response asset(@PathParam("name") String name) {
        String resource = ASSETS.get(name);
        InputStream in = resource == null ? null : DashboardResource.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            return Response.status(404).type(MediaType.TEXT_PLAIN).entity("no such asset\n").build();
        }
        CacheControl cache = new CacheControl();
        cache.setMaxAge(3600);
        cache.setPrivate(true);
        String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        return Response.ok(in, type).cacheControl(cache).build();
    }

    private Map<String, Object> common(HttpServletRequest request, String page) {
        String exampleModel = config.get().credentials().stream().flatMap(c -> c.models().stream())
                .map(e -> e.alias().orElse(e.id())).filter(id -> !id.contains("*")).findFirst().orElse("gpt-4o-mini");
        return frame(page, request.getContextPath(), request.getScheme() + "://" + request.getServerName() + ":"
                        + request.getServerPort(), request.isUserInRole(ADMIN_ROLE),
                request.getRemoteUser() == null ? "" : request.getRemoteUser(), config.get().instanceId(), exampleModel);
    }

    /** What every page's frame shows: where it is, who is looking, which instance answers. */
    static Map<String, Object> frame(String page, String base, String origin, boolean admin, String user,
                                     String instanceId, String exampleModel) {
        Map<String, Object> m = new HashMap<>();
        m.put("active", page);
        m.put("base", base);
        m.put("origin", origin);
        m.put("admin", admin);
        m.put("user", user);
        m.put("instanceId", instanceId);
        m.put("exampleModel", exampleModel);
        m.put("ranges", List.of("1h", "24h", "7d", "30d"));
        return m;
    }

    private static Map<String, Object> keyRow(ClientKey k, Instant now) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", k.id());
        row.put("userId", k.userId());
        row.put("name", k.name());
        row.put("masked", k.masked());
        row.put("state", k.state(now));
        row.put("created", k.createdAt().toString());
        row.put("expires", k.expiresAt().map(Instant::toString).orElse(""));
        return row;
    }

    /** "2xx" → 2 (a class), "429" → 429; blank → none. */
    static Optional<StatusRange> parseStatus(String status) {
        return status == null || status.isBlank() ? Optional.empty() : Optional.of(StatusRange.parse(status));
    }

    private Response html(String page, Map<String, Object> model, int status) {
        return Response.status(status).type("text/html; charset=utf-8").entity(pages.render(page, model))
                .header("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
                .header("X-Content-Type-Options", "nosniff").build();
    }

    /** The version of a WebJar in the WAR, from its Maven metadata, so no version is written twice. */
    private static String webjarVersion(String artifact) {
        String path = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = DashboardResource.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " WebJar is missing from the WAR");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
