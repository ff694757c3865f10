package dev.tollgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The gateway's database: the container's DataSource at {@code java:comp/env/jdbc/tollgate}
 * when it binds one, otherwise the WAR's own commons-dbcp2 pool over a SQLite file.
 */
public final class Database implements AutoCloseable {
    public static final String JNDI_NAME = "java:comp/env/jdbc/tollgate";
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String description;
    private final Optional<BasicDataSource> ownPool;

    private Database(DataSource dataSource, SqlDialect dialect, String description, Optional<BasicDataSource> ownPool) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.description = description;
        this.ownPool = ownPool;
    }

    /**
     * @param sqliteFile the file for the WAR's own pool, used only when JNDI has no DataSource
     * @param inMemory   keep records only in memory (persistence disabled): a shared in-memory SQLite
     */
    public static Database open(Path sqliteFile, boolean inMemory) {
        Optional<DataSource> container = inMemory ? Optional.empty() : lookup();
        if (container.isPresent()) {
            SqlDialect dialect = detect(container.get());
            LOG.info("tollgate: using the container's DataSource " + JNDI_NAME + " (" + dialect + ")");
            return new Database(container.get(), dialect, "jndi:" + dialect.name().toLowerCase(), Optional.empty());
        }
        BasicDataSource pool = inMemory ? memoryPool() : sqlitePool(sqliteFile);
        LOG.info("tollgate: no DataSource at " + JNDI_NAME + "; using " + (inMemory ? "an in-memory SQLite database"
                : "SQLite at " + sqliteFile));
        return new Database(pool, SqlDialect.SQLITE, inMemory ? "sqlite:memory" : "sqlite", Optional.of(pool));
    }

    /** A database over a DataSource the caller owns (tools such as {@link CopyStore}); the dialect is read from it. */
    public static Database of(DataSource dataSource, String description) {
        return new Database(dataSource, detect(dataSource), description, Optional.empty());
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** "sqlite", "sqlite:memory" or "jndi:&lt;dialect&gt;": what /_qs/health shows as persistence. */
    public String description() {
        return description;
    }

    /**
     * The failure of a write, with its real cause where the driver hides it. A SQLite file on a full
     * disk fails at commit with "cannot commit - no transaction is active" (SQLite rolled the
     * transaction back itself); the space left beside the file, and whether it can be written, say
     * what is wrong. Other databases' messages are kept as they are.
     */
    public String explain(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (dialect != SqlDialect.SQLITE) {
            return message;
        }
        Optional<Path> file = sqliteFile();
        if (file.isEmpty()) {
            return message;
        }
        try {
            Path dir = file.get().toAbsolutePath().getParent();
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < LOW_SPACE_BYTES) {
                return "the disk holding " + file.get() + " is full (" + free + " bytes free): " + message;
            }
            if (Files.exists(file.get()) && !Files.isWritable(file.get())) {
                return file.get() + " is read-only: " + message;
            }
        } catch (IOException | RuntimeException ignored) {
            // the message as it is, then
        }
        return message;
    }

    /** Below this much free space beside a SQLite file, a failed write is put down to a full disk. */
    private static final long LOW_SPACE_BYTES = 1024 * 1024;

    /** The SQLite file behind the pool, read from a connection's URL (the container's pool or ours). */
    private Optional<Path> sqliteFile() {
        try (Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL();
            if (url == null || !url.startsWith("jdbc:sqlite:") || url.contains("mode=memory")) {
                return Optional.empty();
            }
            String path = url.substring("jdbc:sqlite:".length());
            int query = path.indexOf('?');
            return Optional.of(Path.of(query < 0 ? path : path.substring(0, query)));
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Brings the schema to the newest version. */
    public void migrate() {
        new Migrations(this).apply();
    }

    @Override
    public void close() {
        ownPool.ifPresent(pool -> {
            try {
                pool.close();
            } catch (SQLException e) {
                LOG.warning("tollgate: closing the SQLite pool failed: " + e.getMessage());
            }
        });
    }

    private static Optional<DataSource> lookup() {
        try {
            return Optional.of((DataSource) new InitialContext().lookup(JNDI_NAME));
        } catch (NamingException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static SqlDialect detect(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return SqlDialect.fromProductName(c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the database: " + e.getMessage(), e);
        }
    }

    private static BasicDataSource sqlitePool(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new StoreException("cannot create the folder for " + file + ": " + e.getMessage(), e);
        }
        // WAL lets the dashboard read while the recorder writes; busy_timeout rides out the brief write locks
        return pool("jdbc:sqlite:" + file.toAbsolutePath(), 4);
    }

    private static BasicDataSource memoryPool() {
        // one idle connection kept (dbcp2 evicts nothing by default): an in-memory database lives as long as a connection to it
        BasicDataSource pool = pool("jdbc:sqlite:file:tollgate-memory?mode=memory&cache=shared", 1);
        pool.setMinIdle(1);
        return pool;
    }

    private static BasicDataSource pool(String url, int size) {
        BasicDataSource pool = new BasicDataSource();
        pool.setDriverClassName("org.sqlite.JDBC");
        pool.setUrl(url);
        pool.setMaxTotal(size);
        pool.setMaxIdle(size);
        pool.setMaxWait(Duration.ofSeconds(30));
        pool.setConnectionInitSqls(List.of("PRAGMA busy_timeout=10000", "PRAGMA synchronous=NORMAL"));
        return pool;
    }
}
