package org.ctai.viewer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;

/**
 * One real PostgreSQL (embedded) per test JVM and a fresh database per caller, migrated with scp's real
 * migrations read from the scp module's source folder (this module cannot depend on scp).
 */
public final class TestDatabase {
    static final Path SCP_MIGRATIONS = Path.of("..", "scp", "src", "main", "resources", "db", "scp").toAbsolutePath().normalize();
    private static final AtomicInteger databases = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server;
    }

    /** A new database with scp's schema, behind a small pool; close it after use. */
    public static HikariDataSource fresh() {
        return fresh(null);
    }

    /**
     * As {@link #fresh()}, with scp's migrations applied up to and including version {@code target} only (null: all),
     * to test what a later migration does to rows written before it; {@link #migrate} applies the rest.
     */
    public static HikariDataSource fresh(String target) {
        if (!Files.isDirectory(SCP_MIGRATIONS)) throw new IllegalStateException("scp's migrations not found at " + SCP_MIGRATIONS);
        String name = "v" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(server().getJdbcUrl("postgres", name));
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(8);
        hc.setPoolName("test-" + name);
        HikariDataSource ds = new HikariDataSource(hc);
        var flyway = Flyway.configure().dataSource(ds).schemas("scp").locations("filesystem:" + SCP_MIGRATIONS);
        if (target != null) flyway.target(target);
        flyway.load().migrate();
        // as the node does at start: the job states are JobState's
        try (Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scp.job_state (name) VALUES (?) ON CONFLICT DO NOTHING")) {
            for (JobState state : JobState.values()) {
                ps.setString(1, state.word());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register the job states", e);
        }
        return ds;
    }

    /** Applies the rest of scp's migrations to a database from {@link #fresh(String)}. */
    public static void migrate(javax.sql.DataSource ds) {
        Flyway.configure().dataSource(ds).schemas("scp").locations("filesystem:" + SCP_MIGRATIONS).load().migrate();
    }
}
