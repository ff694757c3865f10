package dev.tollgate.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.sqlite.SQLiteDataSource;

/**
 * What every container test shares: one fake upstream for the JVM, the config file the deployed
 * gateway reads (via -Dtollgate.config, set before each deployment), a client key per test so
 * tests never count each other's records, and readers for the real SQLite file.
 */
public final class TestRig {
    public static final int KEYS = 400;
    /** The master password every test deployment has (JNDI tollgate/master-password): stored credentials need one. */
    public static final String MASTER_PASSWORD = "it-master-password";
    private static final AtomicInteger NEXT_KEY = new AtomicInteger();
    private static final FakeOpenAi FAKE;
    private static final FakeAnthropic CLAUDE;
    private static final FakeGemini GEMINI;
    private static final FakeAzureOpenAi AZURE;
    private static final Path DIR;
    private static volatile String base = base("tollgate");
    private static volatile Path database;
    /** Set (-Dtollgate.it.db=postgresql) to run the container tests on a real PostgreSQL through JNDI. */
    private static final PostgresServer POSTGRES = "postgresql".equals(System.getProperty("tollgate.it.db"))
            ? PostgresServer.start() : null;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static {
        try {
            FAKE = new FakeOpenAi();
            CLAUDE = new FakeAnthropic();
            GEMINI = new FakeGemini();
            AZURE = new FakeAzureOpenAi();
            DIR = Files.createTempDirectory("tollgate-it");
            database = DIR.resolve("tollgate.db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestRig() {
    }

    public static FakeOpenAi fake() {
        return FAKE;
    }

    public static FakeAnthropic claude() {
        return CLAUDE;
    }

    public static FakeGemini gemini() {
        return GEMINI;
    }

    public static FakeAzureOpenAi azure() {
        return AZURE;
    }

    public static Path database() {
        return database;
    }

    /** A client key no other test uses; its masked form {@code ***NNN} is unique too. */
    public static String newKey() {
        int n = NEXT_KEY.getAndIncrement();
        if (n >= KEYS) {
            throw new IllegalStateException("raise TestRig.KEYS");
        }
        return key(n);
    }

    public static String masked(String key) {
        return "***" + key.substring(key.length() - 3);
    }

    private static String key(int n) {
        return String.format("sk-it-%03d", n);
    }

    /**
     * Writes a config with the given flush interval and returns the WAR, pointed at it through JNDI,
     * named (and so mounted) after the test class: Arquillian's Jetty adapter does not reliably
     * undeploy a same-named archive between classes, so each class gets its own context path.
     */
    public static WebArchive deployment(Class<?> testClass, String flushInterval) {
        return deployment("tollgate-" + testClass.getSimpleName().toLowerCase(Locale.ROOT), flushInterval, "");
    }

    /** A deployment mounted at {@code /name}, with {@code extraYaml} appended to the suite's config. */
    public static WebArchive deployment(String name, String flushInterval, String extraYaml) {
        base = base(name);
        Path config;
        try {
            config = Files.writeString(Files.createTempFile(DIR, "tollgate-", ".yaml"),
                    configYaml(database(), flushInterval, extraYaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deploymentOf(name, config);
    }

    /** A deployment mounted at {@code /name} that reads the given config file as it is. */
    public static WebArchive deploymentOf(String name, Path config) {
        CONFIG_FILES.put(name, config);
        // each archive names its own file through JNDI (java:comp/env/tollgate/config), the first place
        // the gateway looks, so no deployment can pick up another test class's settings
        String jettyEnv = "<?xml version=\"1.0\"?>\n"
                + "<!DOCTYPE Configure PUBLIC \"-//Jetty//Configure//EN\" \"https://jetty.org/configure_10_0.dtd\">\n"
                + "<Configure id=\"wac\" class=\"org.eclipse.jetty.ee10.webapp.WebAppContext\">\n"
                + "  <New class=\"org.eclipse.jetty.plus.jndi.EnvEntry\">\n"
                + "    <Arg><Ref refid=\"wac\"/></Arg>\n"
                + "    <Arg>tollgate/config</Arg>\n"
                + "    <Arg type=\"java.lang.String\">" + config + "</Arg>\n"
                + "    <Arg type=\"boolean\">true</Arg>\n"
                + "  </New>\n"
                + "  <New class=\"org.eclipse.jetty.plus.jndi.EnvEntry\">\n"
                + "    <Arg><Ref refid=\"wac\"/></Arg>\n"
                + "    <Arg>tollgate/master-password</Arg>\n"
                + "    <Arg type=\"java.lang.String\">" + MASTER_PASSWORD + "</Arg>\n"
                + "    <Arg type=\"boolean\">true</Arg>\n"
                + "  </New>\n"
                + postgresResource()
                + "</Configure>\n";
        WebArchive war = war(name + ".war").addAsWebInfResource(new StringAsset(jettyEnv), "jetty-env.xml");
        if (POSTGRES != null) {
            // Jetty puts a Resource at java:comp/env only for a declared resource-ref; Tomcat's context
            // and WildFly's jboss-web.xml bind it without one, so only this test wiring adds it
            String webXml = read(war, "WEB-INF/web.xml").replace("</web-app>", "  <resource-ref>\n"
                    + "    <res-ref-name>jdbc/tollgate</res-ref-name>\n    <res-type>javax.sql.DataSource</res-type>\n"
                    + "    <res-auth>Container</res-auth>\n  </resource-ref>\n</web-app>");
            war.delete("WEB-INF/web.xml");
            war.setWebXML(new StringAsset(webXml));
        }
        return war;
    }

    private static final Map<String, Path> CONFIG_FILES = new ConcurrentHashMap<>();

    /** The config file the deployment named {@code name} reads: tests of reloading rewrite it. */
    public static Path configFile(String name) {
        return CONFIG_FILES.get(name);
    }

    private static String read(WebArchive war, String path) {
        try (InputStream in = war.get(path).getAsset().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** In PostgreSQL mode, the container's pool the gateway finds at java:comp/env/jdbc/tollgate. */
    private static String postgresResource() {
        if (POSTGRES == null) {
            return "";
        }
        return "  <New class=\"org.eclipse.jetty.plus.jndi.Resource\">\n"
                + "    <Arg><Ref refid=\"wac\"/></Arg>\n"
                + "    <Arg>jdbc/tollgate</Arg>\n"
                + "    <Arg><New class=\"dev.tollgate.it.DirectPostgresDataSource\">\n"
                + "      <Set name=\"url\">" + POSTGRES.url() + "</Set>\n"
                + "      <Set name=\"user\">" + POSTGRES.user() + "</Set>\n"
                + "    </New></Arg>\n"
                + "  </New>\n";
    }

    /** What /_qs/health names as persistence for the store under test. */
    public static String expectedPersistence() {
        return POSTGRES != null ? "jndi:postgresql" : "sqlite";
    }

    /** Where the tests read the records: the SQLite file, or the PostgreSQL server in that mode. */
    private static DataSource store() {
        if (POSTGRES != null) {
            DirectPostgresDataSource pg = new DirectPostgresDataSource();
            pg.setUrl(POSTGRES.url());
            pg.setUser(POSTGRES.user());
            return pg;
        }
        // a DataSource, not DriverManager: the deployed WAR's own driver registration comes and goes with it
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + database());
        return ds;
    }

    /** The WAR the build produced, under the given archive name. */
    public static WebArchive war(String archiveName) {
        return ShrinkWrap.create(ZipImporter.class, archiveName)
                .importFrom(Path.of(System.getProperty("tollgate.war", "target/tollgate.war")).toFile())
                .as(WebArchive.class);
    }

    /** The suite's config: the fake upstream, the test keys, the given persistence settings. */
    public static String configYaml(Path databaseFile, String flushInterval, String extraYaml) {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < KEYS; i++) {
            keys.append("  - ").append(key(i)).append('\n');
        }
        return "instance-id: it-instance\n" + "api-keys:\n" + keys
                + "persistence:\n  path: " + databaseFile + "\n  buffer-size: 1000\n  flush-interval: " + flushInterval + "\n"
                + "request-retry: 1\n"
                + "timeouts: {connect: 2s, request: 3s, stream-idle: 2s, keepalive: 500ms}\n"
                + "max-body-size: 64KB\n"
                + "logs:\n  enabled: true\n  redact: [{pattern: 'sk-redact-[a-z0-9]+', replacement: '[key]'}]\n"
                + "model-prices:\n"
                + "  fake-gpt: {input: 1.00, output: 2.00, cached-input: 0.50}\n"
                + "  metrics-a: {input: 3, output: 6}\n"
                + "  claude-fake: {input: 3, output: 15, cached-input: 0.30, cache-write-5m: 3.75, cache-write-1h: 6}\n"
                + "  azure-4o: {input: 2.50, output: 10, cached-input: 1.25}\n"
                + "openai-api-key:\n"
                + "  - api-key: sk-upstream-secret\n"
                + "    base-url: " + FAKE.baseUrl() + "\n"
                + "    headers: {X-Upstream-Tag: it}\n"
                + "    models:\n"
                + "      - {id: fake-gpt, alias: gpt-alias}\n"
                + "      - {id: fake-nousage}\n      - {id: fake-cut}\n      - {id: fake-slow}\n      - {id: fake-silent}\n      - {id: fake-flood}\n"
                + "      - {id: fake-400}\n      - {id: fake-flaky}\n      - {id: fake-hang}\n"
                + "      - {id: metrics-a}\n      - {id: metrics-b}\n      - {id: sdk-model}\n      - {id: redeploy-model}\n"
                + "      - {id: fake-tools}\n      - {id: dash-model}\n      - {id: gpt-reasoner, alias: reasoner-alias}\n"
                + "claude-api-key:\n"
                + "  - api-key: sk-ant-upstream-secret\n"
                + "    base-url: " + CLAUDE.baseUrl() + "\n"
                + "    models:\n"
                + "      - {id: claude-fake}\n      - {id: claude-fake-tools}\n      - {id: claude-fake-cut}\n"
                + "      - {id: claude-fake-400}\n      - {id: claude-fake-sonnet, alias: sonnet}\n      - {id: claude-fake-think}\n"
                + "  - api-key: sk-ant-cached-secret\n    base-url: " + CLAUDE.baseUrl() + "\n    prompt-cache: auto\n"
                + "    models: [{id: claude-fake-cached}]\n"
                + "gemini-api-key:\n"
                + "  - api-key: goog-upstream-secret\n"
                + "    base-url: " + GEMINI.baseUrl() + "\n"
                + "    models:\n"
                + "      - {id: gemini-fake}\n      - {id: gemini-fake-tools}\n      - {id: gemini-fake-400}\n"
                + "      - {id: gemini-fake-think}\n"
                + "openai-compatibility:\n"
                + "  - name: deadhost\n    base-url: http://127.0.0.1:" + freePort() + "/v1\n    api-key: x\n"
                + "    models: [{name: dead-model}]\n"
                + "  - name: respond\n    wire-api: responses\n    prefix: respond\n    base-url: " + FAKE.baseUrl()
                + "\n    api-key: sk-resp\n"
                + "    models: [{name: resp-model}, {name: resp-tools}]\n"
                + "azure-openai:\n"
                + "  - api-key: " + FakeAzureOpenAi.KEY + "\n"
                + "    base-url: " + AZURE.baseUrl() + "\n"
                + "    deployments:\n"
                + "      - {name: prod-4o, model: azure-4o}\n      - {name: prod-tools, model: azure-tools}\n"
                + "      - {name: prod-filtered, model: azure-filtered}\n      - {name: prod-gone, model: azure-gone}\n"
                + "mock:\n  - name: demo\n    models: [{id: mock-gpt}]\n    latency: 1ms\n    chunk-delay: 1ms\n"
                + "    completion-tokens: 9\n"
                + extraYaml;
    }

    /** Points the helpers at a gateway outside Jetty (a real server) and the database it writes. */
    public static void target(String baseUrl, Path databaseFile) {
        base = baseUrl;
        database = databaseFile;
    }

    /** The gateway under test, ending in '/'. */
    public static String base() {
        return base;
    }

    /** Points the helpers at the deployment mounted at {@code /contextName} (classes with several deployments). */
    public static void use(String contextName) {
        base = base(contextName);
    }

    public static String base(String contextName) {
        return "http://127.0.0.1:" + System.getProperty("jetty.port") + "/" + contextName + "/";
    }

    /** Realm users of the test containers (src/test/resources/Tollgate.properties and the container configs). */
    public static final String ADMIN = "tg-admin:admin-pass";
    public static final String VIEWER = "tg-viewer:viewer-pass";

    /** A GET with the container realm's BASIC credentials ({@code user:password}), or none when null. */
    public static HttpResponse<String> operator(String url, String credentials) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : base() + url))
                .timeout(Duration.ofSeconds(30));
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return send(b.build());
    }

    /** A call to the admin API as the realm's admin: {@code method} with a JSON body (or none when null). */
    public static HttpResponse<String> admin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(ADMIN.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** A POST of JSON with the given headers (name, value, name, value...) and no Authorization. */
    public static HttpResponse<String> postWith(String path, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return exchange("POST", path, body, all);
    }

    /** Any method, with exactly the given headers (name, value, ...); no body when {@code body} is null. */
    public static HttpResponse<String> exchange(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** The official OpenAI SDK pointed at the gateway, with {@code key}, never retrying on its own. */
    public static OpenAIClient openAiSdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base() + "v1").apiKey(key).maxRetries(0).build();
    }

    public static HttpResponse<String> post(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.build());
    }

    public static HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b.build());
    }

    /** Sends with the suite's client; a pooled connection the server closed is retried once. */
    public static HttpResponse<String> send(HttpRequest request) {
        try {
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                    throw e;
                }
                // the pooled connection was closed by the server after an answer that left the request body
                // unread (a 401 before reading): nothing reached it, so one fresh try is the right thing
                return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    public static String chat(String model, boolean stream, Boolean includeUsage, String... messages) {
        StringBuilder m = new StringBuilder();
        for (String s : messages) {
            m.append(m.length() == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(s).append("\"}");
        }
        String options = includeUsage == null ? "" : ",\"stream_options\":{\"include_usage\":" + includeUsage + "}";
        return "{\"model\":\"" + model + "\",\"messages\":[" + m + "],\"stream\":" + stream + options + "}";
    }

    /** The SSE data payloads of a stream body, in order. */
    public static List<String> dataLines(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(line.substring(6));
            }
        }
        return out;
    }

    /** The usage rows of one client key, read straight from the SQLite file. */
    public static List<Map<String, Object>> records(String key) {
        return rows("SELECT * FROM usage_records WHERE api_key_masked = ? ORDER BY ts", masked(key));
    }

    /** Rows of any query on the real SQLite file, by column name. */
    public static List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = store().getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = p.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("no such table") || e.getMessage().contains("does not exist")) {
                return List.of();
            }
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code query} returns {@code n} rows, then a little longer to catch any extra one. */
    public static List<Map<String, Object>> awaitRows(Supplier<List<Map<String, Object>>> query, int n) {
        await(() -> query.get().size() >= n, n + " rows");
        pause(300);
        return query.get();
    }

    /** Waits until the key has {@code n} records, then a little longer to catch any extra one. */
    public static List<Map<String, Object>> awaitRecords(String key, int n) {
        await(() -> records(key).size() >= n, "records for " + key);
        pause(300);
        return records(key);
    }

    public static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            pause(25);
        }
    }

    public static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    /** A loopback port nothing listens on now: for a dead upstream, or a server a test starts. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
