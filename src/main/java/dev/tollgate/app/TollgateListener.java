package dev.tollgate.app;

import dev.tollgate.access.Accounts;
import dev.tollgate.access.ClientKeys;
import dev.tollgate.admin.AdminBundlesResource;
import dev.tollgate.admin.AdminConfigResource;
import dev.tollgate.admin.AdminConversationsResource;
import dev.tollgate.admin.AdminKeysResource;
import dev.tollgate.admin.AdminLogsResource;
import dev.tollgate.admin.AdminModelsResource;
import dev.tollgate.admin.AdminProvidersResource;
import dev.tollgate.admin.AdminRoutingResource;
import dev.tollgate.admin.AdminSystemResource;
import dev.tollgate.admin.AdminUsersResource;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.ErrorMapper;
import dev.tollgate.api.UsageResource;
import dev.tollgate.api.anthropic.AnthropicServlet;
import dev.tollgate.api.gemini.GeminiServlet;
import dev.tollgate.api.openai.OpenAiResource;
import dev.tollgate.api.openai.OpenAiServlet;
import dev.tollgate.bundle.Bundles;
import dev.tollgate.config.ConfigLocator;
import dev.tollgate.config.ConfigReloader;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.SecretMask;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.dashboard.DashboardResource;
import dev.tollgate.dashboard.LiveFeed;
import dev.tollgate.dashboard.LiveFeedServlet;
import dev.tollgate.dashboard.Pages;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.logs.LogCapture;
import dev.tollgate.logs.LogReader;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.metrics.LiveCounters;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.metrics.PrometheusText;
import dev.tollgate.metrics.UsageLog;
import dev.tollgate.ops.CallLog;
import dev.tollgate.ops.CrossSiteGuard;
import dev.tollgate.ops.HealthResource;
import dev.tollgate.ops.LogBuffer;
import dev.tollgate.ops.LogOutput;
import dev.tollgate.ops.MetricsResource;
import dev.tollgate.ops.OperatorNetworkFilter;
import dev.tollgate.ops.SystemStatus;
import dev.tollgate.route.CooldownStore;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.StoredCredentials;
import dev.tollgate.store.Database;
import dev.tollgate.store.FleetInstances;
import dev.tollgate.store.FleetJobs;
import dev.tollgate.store.StoreException;
import dev.tollgate.telemetry.Telemetry;
import dev.tollgate.usage.MeteringFilter;
import dev.tollgate.usage.RecordJournal;
import dev.tollgate.usage.Retention;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageRecorder;
import dev.tollgate.usage.UsageTable;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Builds the gateway in order when the WAR starts (config → database → recorder → upstreams →
 * gateway → HTTP endpoints) and tears it down in reverse, the recorder flushed before the database
 * closes. Any failure fails the deployment: the gateway never runs half-configured.
 */
public final class TollgateListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(TollgateListener.class.getName());

    /** The JAX-RS resources: listings, usage, metrics, health, admin, dashboard, and the error mapper. */
    private static final Set<Class<?>> RESOURCES = Set.of(OpenAiResource.class, MetricsResource.class,
            HealthResource.class, UsageResource.class, AdminConfigResource.class, AdminUsersResource.class,
            AdminKeysResource.class, AdminModelsResource.class, AdminProvidersResource.class, AdminLogsResource.class, AdminConversationsResource.class,
            AdminBundlesResource.class, AdminSystemResource.class, AdminRoutingResource.class, DashboardResource.class,
            ErrorMapper.class);

    /** The model-call servlets (OpenAI, Anthropic, Gemini dialects): every call through them is metered. */
    static final String[] PROXY_SERVLETS = {"tollgate-openai", "tollgate-anthropic", "tollgate-gemini"};

    /** The operator paths: behind the container's login (web.xml) and the network allow-list. */
    static final String[] OPERATOR_PATHS = {"/_qs/metrics", "/_qs/metrics/*", "/admin/*"};

    private final Deque<AutoCloseable> teardown = new ArrayDeque<>();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            start(event.getServletContext());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "tollgate: failed to start: " + (e.getMessage() != null ? e.getMessage() : e), e);
            stop();
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        stop();
        LOG.info("tollgate: stopped");
    }

    private void start(ServletContext context) {
        String version = Version.current();
        Instant startedAt = Instant.now();
        LogBuffer logBuffer = LogBuffer.attach("dev.tollgate"); // from the first line: the Gateway log page shows the start
        teardown.push(logBuffer::close);
        ConfigLocator locator = ConfigLocator.ofContainer();
        ConfigLocator.Loaded loaded = locator.load();
        TollgateConfig config = loaded.config();
        Clock clock = Clock.systemUTC();
        ScheduledExecutorService timer = timer();
        teardown.push(timer::shutdownNow);

        boolean persist = config.persistence().enabled();
        Database database = Database.open(config.persistence().path(), !persist);
        teardown.push(database);
        database.migrate();
        deregisterDriversOnStop();

        UsageTable table = new UsageTable(database, config.instanceId());
        RecordJournal journal = persist && config.usageStatisticsEnabled()
                && config.persistence().durability() == TollgateConfig.Persistence.Durability.JOURNALED
                ? Journals.replayAndOpen(config.persistence(), table) : null;
        if (journal != null) {
            teardown.push(journal); // closed after the recorder: its last commits trim the journal first
        }
        long persistedAtStart = count(table);
        UsageRecorder recorder = new UsageRecorder(table::insert, config.persistence().bufferSize(),
                config.persistence().flushInterval(), config.persistence().maxQueuedRecords(), journal);
        teardown.push(recorder); // closed before the database: everything queued is written first
        Retention retention = new Retention(table, new FleetJobs(database, config.instanceId()), config.persistence().retentionDays(), clock);
        retention.schedule(timer);
        LogCapture logs = LogCapture.start(config.logs(), database);
        teardown.push(logs); // closed before the database: what waits is written first
        logs.scheduleRetention(timer, new FleetJobs(database, config.instanceId()), clock);

        ClientKeys keys = new ClientKeys(config.apiKeys(), database, clock);
        warnIfOpen(keys);
        Accounts accounts = new Accounts(keys);
        PriceTable prices = prices(config);
        RateLimiter limiter = new RateLimiter(database, config.instanceId(), Reconfiguration.limits(config),
                config.quota().reserveOutputTokens(), prices, clock);
        Upstreams upstreams = new Upstreams(config, timer);
        teardown.push(upstreams);
        Cooldowns cooldowns = new Cooldowns(config.routing().cooldown(), config.routing().maxCooldown(), clock);
        cooldowns.share(new CooldownStore(database, config.instanceId()), timer);
        // what another instance changed (keys, limits, credential rests) shows here within this period
        timer.scheduleWithFixedDelay(() -> refresh(keys, limiter, cooldowns), 10, 10, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(limiter::settleSlices, 1, 1, TimeUnit.SECONDS); // room taken ahead, unused
        teardown.push(limiter::returnSlices); // before the database closes: a stopped instance holds no room
        Reconfiguration.Live running = Reconfiguration.start(locator, loaded, database, keys, limiter, prices, upstreams,
                cooldowns, timer, clock);
        Gateway gateway = running.gateway();
        LiveConfig live = running.config();
        teardown.push(ownLogs(logBuffer, running));

        RecordingState recording = new RecordingState(database, recorder, journal);
        HealthResource.Probe health = () -> new HealthResource.Health(version, config.instanceId(), database.description(),
                config.usageStatisticsEnabled(), persist, persistedAtStart + recorder.written() - retention.deleted(),
                recorder.backlog(), recorder.dropped(), gateway.openStreams(), recording.database(), recording.recorder(),
                recording.journal(), logs.enabled() ? new HealthResource.Logs(logs.running(), logs.written(),
                        logs.dropped(), logs.queued(), logs.queuedBytes(), logs.lastError()) : null, live.status());

        LiveCounters counters = new LiveCounters(config.metrics().maxModels(), config.metrics().maxKeys());
        LiveFeed feed = new LiveFeed();
        teardown.push(feed);
        feed.keepAlive(timer);
        MetricsResource.GaugeProbe gauges = scrapeGauges(recording, gateway, running, cooldowns, limiter, clock);
        Telemetry telemetry = Telemetry.start(config, version, gauges::get, System::getenv);
        teardown.push(telemetry);
        // metering always runs: the limits settle and end each request through it, recorded or not
        meterModelCalls(context, new MeteringFilter(
                new FinishedRecords(prices, recorded(config, recorder), views(counters, feed, config, telemetry)),
                journal == null ? null : FinishedRecords.journal(prices, journal), telemetry.tracing()));

        BodyReader bodies = new BodyReader(config.input(), timer);
        guardOperatorPaths(context, config);

        AbstractBinder parts = new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(gateway).to(Gateway.class);
                        bind(new MetricsService(database)).to(MetricsService.class);
                        bind(clock).to(Clock.class);
                        bind(health).to(HealthResource.Probe.class);
                        bind(live).to(LiveConfig.class);
                        bind(running.reloader()).to(ConfigReloader.class);
                        bind(running.stored()).to(StoredCredentials.class);
                        bind(logBuffer).to(LogBuffer.class);
                        bind(system(version, database, health, running, startedAt, timer, telemetry)).to(SystemStatus.class);
                        bind(counters).to(LiveCounters.class);
                        bind(gauges).to(MetricsResource.GaugeProbe.class);
                        bind(accounts).to(Accounts.class);
                        bind(limiter).to(RateLimiter.class);
                        bind(new UsageLog(database)).to(UsageLog.class);
                        bind(prices).to(PriceTable.class);
                        bind(cooldowns).to(Cooldowns.class);
                        bind(new Pages()).to(Pages.class);
                        bind(new LogSearch(database)).to(LogSearch.class);
                        bind(new LogReader(database)).to(LogReader.class);
                        bind(new Bundles(database, config.instanceId())).to(Bundles.class);
                    }
                };
        if (config.dashboardEnabled()) {
            serveLiveFeed(context, feed);
        }
        serveModelCalls(context, gateway, bodies, logs);
        serveApi(context, resources(parts, config.dashboardEnabled()));
        announce(context, version, config);
    }

    /** Said at start and after every reload: a file without keys opens the proxy to anyone. */
    static void warnIfOpen(ClientKeys keys) {
        if (keys.open()) {
            LOG.warning("tollgate: *** NO CLIENT KEYS (api-keys or issued keys): THE PROXY IS OPEN TO ANY CALLER *** "
                    + "Add api-keys to the config file or issue keys through /admin/users before exposing this gateway.");
        }
    }

    private static PriceTable prices(TollgateConfig config) {
        PriceTable prices = PriceTable.withOverrides(config.modelPrices());
        LOG.info("tollgate: " + prices.size() + " model prices in force (" + config.modelPrices().size()
                + " from model-prices)");
        return prices;
    }

    /**
     * What a scrape reads besides the counters: the recorder's state, every credential and whether it
     * takes calls, limit refusals and what is left of the budgets in use (as many as keys get series).
     */
    private static MetricsResource.GaugeProbe scrapeGauges(RecordingState recording, Gateway gateway,
                                                           Reconfiguration.Live running, Cooldowns cooldowns,
                                                           RateLimiter limiter, Clock clock) {
        return () -> {
            List<PrometheusText.Credential> credentials = new ArrayList<>();
            for (ProviderCredential c : running.stored().after(running.config().get().credentials())) {
                credentials.add(new PrometheusText.Credential(c.provider(), c.label(),
                        !c.disabled() && !cooldowns.cooling(c), cooldowns.restsStarted(c.label())));
            }
            List<PrometheusText.Budget> budgets = limiter.budgetsLeft(running.config().get().metrics().maxKeys()).stream()
                    .map(b -> new PrometheusText.Budget(b.subject().label(),
                            b.kind() == LimitSet.Kind.BUDGET_USD_PER_DAY ? "day" : "month", b.left()))
                    .toList();
            return recording.gauges(gateway.openStreams()).with(credentials, limiter.refusals(), budgets);
        };
    }

    /** The System page's figures, and this instance's heartbeat in the fleet's list (every 10 s). */
    private static SystemStatus system(String version, Database database, HealthResource.Probe health,
                                       Reconfiguration.Live running, Instant startedAt, ScheduledExecutorService timer,
                                       Telemetry telemetry) {
        FleetInstances fleet = new FleetInstances(database);
        timer.scheduleWithFixedDelay(() -> {
            LiveConfig.Status s = running.config().status();
            try {
                fleet.beat(new FleetInstances.Instance(running.config().get().instanceId(), version, s.hash(), s.loadedAt(),
                        startedAt, Instant.now()));
            } catch (RuntimeException e) { // a thrown task never runs again: the heartbeat must outlive an outage
                LOG.fine("tollgate: fleet heartbeat not written: " + e.getMessage());
            }
        }, 0, 10, TimeUnit.SECONDS);
        return new SystemStatus(health, running.config(), fleet, startedAt, telemetry.description());
    }

    /**
     * The gateway's own log lines: the buffer behind the Gateway log page masks the running
     * gateway's secrets, and {@code logging.format: json} writes them as JSON lines.
     */
    private static LogOutput ownLogs(LogBuffer buffer, Reconfiguration.Live running) {
        buffer.maskSecretsOf(() -> secrets(running));
        return LogOutput.apply(running.config().get(), () -> secrets(running), System.out);
    }

    /** Where finished records go: the recorder, or nowhere when usage statistics are off. */
    private static Consumer<UsageRecord> recorded(TollgateConfig config, UsageRecorder recorder) {
        if (config.usageStatisticsEnabled()) {
            return recorder::submit;
        }
        LOG.warning("tollgate: usage-statistics-enabled is false: requests are proxied but not recorded");
        return r -> { };
    }

    /** What sees each finished record besides the recorder: live counters, the live feed, the call log and OpenTelemetry when on. */
    private static List<Consumer<UsageRecord>> views(LiveCounters counters, LiveFeed feed, TollgateConfig config,
                                                     Telemetry telemetry) {
        List<Consumer<UsageRecord>> views = new ArrayList<>(List.of(counters::add, feed::publish));
        if (config.logging().calls()) {
            views.add(new CallLog());
        }
        telemetry.metrics().ifPresent(views::add);
        return views;
    }

    /** Every secret the running gateway holds, for the log buffer to mask. */
    private static List<String> secrets(Reconfiguration.Live running) {
        List<String> all = new ArrayList<>(SecretMask.of(running.config().get()));
        running.stored().credentials().forEach(c -> {
            all.add(c.apiKey());
            all.addAll(c.headers().values());
        });
        return all;
    }

    /** The JAX-RS application: its resources (the dashboard's only when it is on) and their parts. */
    private static ResourceConfig resources(AbstractBinder parts, boolean dashboard) {
        Set<Class<?>> classes = new HashSet<>(RESOURCES);
        if (!dashboard) { // quantumspring.enabled: false: the pages answer 404, as in the seed system
            classes.remove(DashboardResource.class);
            LOG.info("tollgate: the dashboard is off (quantumspring.enabled: false)");
        }
        return new ResourceConfig()
                .register(parts)
                .registerClasses(classes)
                // bytes leave at once: Jersey would otherwise buffer 8 KiB to compute Content-Length
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                // jakarta.activation is not bundled and not needed; without this Jersey warns at every start
                .property(CommonProperties.PROVIDER_DEFAULT_DISABLE, "DATASOURCE");
    }

    private static void announce(ServletContext context, String version, TollgateConfig config) {
        String base = System.getProperty("tollgate.public-url", context.getContextPath());
        LOG.info("tollgate " + version + " ready: OpenAI base URL " + base + "/v1 · Anthropic and Gemini base URL " + base + " · metrics " + base
                + "/_qs/metrics · dashboard " + base + "/_qs/metrics/ui · health " + base + "/_qs/health · " + config.credentials().size() + " credential(s)");
    }

    /** More specific than Jersey's /*, so the live feed is a plain async servlet (see LiveFeed). */
    private static void serveLiveFeed(ServletContext context, LiveFeed feed) {
        ServletRegistration.Dynamic events = context.addServlet("tollgate-live-feed", new LiveFeedServlet(feed));
        events.setAsyncSupported(true);
        events.addMapping("/_qs/metrics/ui/events");
    }

    /** Jersey under /*: listings, usage, metrics, health, the dashboard and the admin API. */
    private static void serveApi(ServletContext context, ResourceConfig resources) {
        ServletRegistration.Dynamic jersey = context.addServlet("tollgate-api", new ServletContainer(resources));
        jersey.setAsyncSupported(true);
        jersey.setLoadOnStartup(1);
        jersey.addMapping("/*");
    }

    /** Every call through the proxy servlets is metered: by their names, not by URLs that could drift. */
    private static void meterModelCalls(ServletContext context, MeteringFilter metering) {
        FilterRegistration.Dynamic filter = context.addFilter("tollgate-metering", metering);
        filter.setAsyncSupported(true);
        filter.addMappingForServletNames(EnumSet.of(DispatcherType.REQUEST), false, PROXY_SERVLETS);
    }

    /** The model calls: plain async servlets, more specific than Jersey's /* (see ProxyServlet). */
    private static void serveModelCalls(ServletContext context, Gateway gateway, BodyReader bodies, LogCapture logs) {
        proxyServlet(context, PROXY_SERVLETS[0], new OpenAiServlet(gateway, bodies, logs),
                Stream.concat(OpenAiServlet.PATHS.keySet().stream(), Stream.of(OpenAiServlet.STORED)).toArray(String[]::new));
        proxyServlet(context, PROXY_SERVLETS[1], new AnthropicServlet(gateway, bodies, logs),
                AnthropicServlet.MESSAGES, AnthropicServlet.COUNT_TOKENS);
        proxyServlet(context, PROXY_SERVLETS[2], new GeminiServlet(gateway, bodies, logs), GeminiServlet.MAPPING);
    }

    /** The operator paths: only from the allowed networks, and no cross-site request changes anything. */
    private static void guardOperatorPaths(ServletContext context, TollgateConfig config) {
        FilterRegistration.Dynamic network = context.addFilter("tollgate-ops-network",
                new OperatorNetworkFilter(config.ops().allowedNetworks()));
        network.setAsyncSupported(true);
        network.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, OPERATOR_PATHS);
        FilterRegistration.Dynamic crossSite = context.addFilter("tollgate-ops-cross-site", new CrossSiteGuard());
        crossSite.setAsyncSupported(true);
        crossSite.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, OPERATOR_PATHS);
    }

    private static void proxyServlet(ServletContext context, String name, Servlet servlet,
                                     String... mappings) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        registration.addMapping(mappings);
    }

    private void stop() {
        while (!teardown.isEmpty()) {
            try {
                teardown.pop().close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "tollgate: error while stopping: " + e.getMessage());
            }
        }
    }

    /** The JDBC drivers this WAR registered would pin its class loader after undeploy. */
    private void deregisterDriversOnStop() {
        ClassLoader mine = getClass().getClassLoader();
        teardown.push(() -> {
            for (Driver d : Collections.list(DriverManager.getDrivers())) {
                if (d.getClass().getClassLoader() == mine) {
                    DriverManager.deregisterDriver(d);
                }
            }
        });
    }

    private static ScheduledExecutorService timer() {
        return new GuardedTimer(2);
    }

    private static long count(UsageTable table) {
        try {
            return table.count();
        } catch (SQLException e) {
            throw new StoreException("cannot read usage_records: " + e.getMessage(), e);
        }
    }

    private static void refresh(ClientKeys keys, RateLimiter limiter, Cooldowns cooldowns) {
        try {
            limiter.maintain();
        } catch (RuntimeException e) {
            // never let one failure end the schedule: a thrown task is never run again
            LOG.warning("tollgate: limit upkeep failed, trying again at the next refresh: " + e.getMessage());
        }
        try {
            keys.reload();
            limiter.reload();
            cooldowns.refresh();
        } catch (RuntimeException e) { // as above: the schedule must survive a database outage
            LOG.warning("tollgate: cannot re-read keys, limits and credential rests (keeping the last ones): " + e.getMessage());
        }
    }
}
