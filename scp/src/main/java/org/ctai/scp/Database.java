package org.ctai.scp;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's PostgreSQL: the configured server, or an embedded one whose data directory lives in the
 * node's data folder so nothing is lost on restart. Owns the connection pool and runs each module's
 * Flyway migrations in that module's own schema. Thread-safe; {@link #close()} is idempotent.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Optional<EmbeddedPostgres> embedded;
    private final HikariDataSource pool;
    private volatile boolean closed;

    private Database(Optional<EmbeddedPostgres> embedded, HikariDataSource pool) {
        this.embedded = embedded;
        this.pool = pool;
    }

    /** Connects (starting the embedded server first when no URL is configured) and migrates the scp schema. */
    public static Database open(NodeConfig.Db db, NodeConfig.Data data, String poolName) {
        Optional<EmbeddedPostgres> embedded = Optional.empty();
        String url;
        String user = db.user();
        String password = db.password();
        if (db.url().isPresent()) {
            url = db.url().get();
        } else {
            EmbeddedPostgres pg = startEmbedded(data.embeddedDatabase());
            embedded = Optional.of(pg);
            url = pg.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(db.poolSize());
        hc.setConnectionTimeout(Duration.ofSeconds(30).toMillis());
        if (!data.fsync()) {
            // data.fsync=false (benchmarks): commits do not wait for the database's disk either
            hc.addDataSourceProperty("options", "-c synchronous_commit=off");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            embedded.ifPresent(Database::closeQuietly);
            throw new NodeException("cannot connect to the database at " + url + ": " + e.getMessage(), e);
        }
        Database database = new Database(embedded, pool);
        database.migrate("scp");
        return database;
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Applies {@code classpath:db/<module>} to schema {@code <module>}, with that module's own history table. */
    public void migrate(String module) {
        Flyway.configure(getClass().getClassLoader())
                .dataSource(pool)
                .schemas(module)
                .locations("classpath:db/" + module)
                .load()
                .migrate();
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir);
            stopOrphanPostmaster(dir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
            log.info("embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir);
            return pg;
        } catch (IOException e) {
            throw new NodeException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A node killed with SIGKILL leaves its embedded postmaster running on the data directory, and the
     * next start would fail against it. Stop it (SIGTERM is PostgreSQL's smart shutdown; the dead node's
     * sessions are already gone) so one restart after a crash is enough.
     */
    static void stopOrphanPostmaster(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").trim();
        long pid;
        try {
            pid = Long.parseLong(first);
        } catch (NumberFormatException e) {
            return; // not a pid file PostgreSQL would honour either
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (postmaster.isEmpty()) return;
        log.warn("an embedded PostgreSQL (pid {}) from a previous run still holds {}; stopping it", pid, dir);
        ProcessHandle p = postmaster.get();
        p.destroy();
        try {
            p.onExit().get(ORPHAN_STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new NodeException("the orphaned PostgreSQL (pid " + pid + ") on " + dir + " did not stop within "
                    + ORPHAN_STOP_TIMEOUT.toSeconds() + " s; stop it by hand (pg_ctl stop -m fast -D " + dir + ")");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new NodeException("waiting for the orphaned PostgreSQL (pid " + pid + ") failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException("interrupted while stopping the orphaned PostgreSQL (pid " + pid + ")", e);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close();
        embedded.ifPresent(Database::closeQuietly);
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            log.warn("stopping the embedded PostgreSQL failed: {}", e.toString());
        }
    }
}
