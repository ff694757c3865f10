package dev.tollgate.store;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import javax.sql.DataSource;

/**
 * The migration path from one instance on SQLite to a shared PostgreSQL: copies users, keys,
 * limits and every usage record from a SQLite file into a database given by JDBC URL, then each
 * {@link Part} a room adds (the request log). Both are first migrated to the current schema; rows
 * already in the target are left alone, so a copy can be re-run (for instance once more right
 * before the switch) without doubling anything.
 *
 * <pre>java -cp "WEB-INF/classes:WEB-INF/lib/*:postgresql.jar" dev.tollgate.store.CopyStore \
 *     /var/lib/tollgate/tollgate.db jdbc:postgresql://db/tollgate tollgate   # password: $TOLLGATE_DB_PASSWORD</pre>
 */
public final class CopyStore {
    /** In dependency order: keys point at users. */
    static final List<String> TABLES = List.of("users", "client_keys", "limits", "usage_records", "usage_rollups",
            "usage_model_rollups", "usage_latency_rollups", "usage_latency_overall");
    private static final int BATCH = 1000;

    private CopyStore() {
    }

    /**
     * Tables a room copies its own way, found with {@link ServiceLoader} (so this room needs no door
     * into theirs): the request log's messages are found by hash in the target, not copied by id.
     */
    public interface Part {
        /** Copies this part; returns the line for the report. */
        String copy(Database from, Database to) throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CopyStore <sqlite file> <target JDBC URL> [user]   (password from $TOLLGATE_DB_PASSWORD)");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        if (!Files.isRegularFile(source)) {
            System.err.println("CopyStore: no SQLite file at " + source);
            System.exit(2);
        }
        String user = args.length > 2 ? args[2] : null;
        String password = System.getenv("TOLLGATE_DB_PASSWORD");
        copy(source, new UrlDataSource(args[1], user, password), System.out);
    }

    /** Copies everything from the SQLite file into {@code target}, both migrated first; reports counts on {@code out}. */
    public static void copy(Path sqliteFile, DataSource target, PrintStream out) throws SQLException {
        Database from = Database.open(sqliteFile, false);
        try {
            from.migrate();
            Database to = Database.of(target, "copy target");
            to.migrate();
            try (Connection in = from.connection(); Connection dst = to.connection()) {
                for (String table : TABLES) {
                    long[] counts = copyTable(in, dst, table);
                    out.println(table + ": " + counts[0] + " read, " + counts[1] + " written (the rest were there already)");
                }
            }
            for (Part part : ServiceLoader.load(Part.class, CopyStore.class.getClassLoader())) {
                out.println(part.copy(from, to));
            }
        } finally {
            from.close();
        }
    }

    private static long[] copyTable(Connection in, Connection dst, String table) throws SQLException {
        long read = 0;
        long written = 0;
        try (Statement s = in.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(",", Collections.nCopies(columns.size(), "?")) + ") ON CONFLICT DO NOTHING";
            boolean auto = dst.getAutoCommit();
            dst.setAutoCommit(false);
            try (PreparedStatement p = dst.prepareStatement(sql)) {
                int pending = 0;
                while (rs.next()) {
                    for (int i = 1; i <= columns.size(); i++) {
                        p.setObject(i, rs.getObject(i));
                    }
                    p.addBatch();
                    read++;
                    if (++pending == BATCH) {
                        written += sum(p.executeBatch());
                        dst.commit();
                        pending = 0;
                    }
                }
                written += sum(p.executeBatch());
                dst.commit();
            } catch (SQLException e) {
                dst.rollback();
                throw e;
            } finally {
                dst.setAutoCommit(auto);
            }
        }
        return new long[] {read, written};
    }

    private static long sum(int[] counts) {
        long n = 0;
        for (int c : counts) {
            n += Math.max(0, c);
        }
        return n;
    }
}
