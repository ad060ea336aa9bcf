package org.ctai.scp.storage;

import org.ctai.scp.NodeException;

import org.ctai.scp.config.NodeConfig;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.ctai.viewer.JobState;
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

    /** A configured server and how to log in (never logged: the password). */
    private record Server(String url, String user, String password) {
        @Override
        public String toString() {
            return url;
        }
    }

    private final Optional<EmbeddedServer> embedded;
    private final HikariDataSource pool;
    /** Held while this process runs the embedded server. */
    private final Optional<FileLock> ownership;
    /** The configured server, watched once the node runs; empty with the embedded one. */
    private final Optional<Server> configured;
    private volatile Optional<DatabaseWatch> watch = Optional.empty();
    private volatile boolean closed;

    private Database(Optional<EmbeddedServer> embedded, HikariDataSource pool, Optional<FileLock> ownership, Optional<Server> configured) {
        this.embedded = embedded;
        this.pool = pool;
        this.ownership = ownership;
        this.configured = configured;
    }

    /** Connects (starting the embedded server first when no URL is configured) and migrates the scp schema. */
    public static Database open(NodeConfig.Db db, NodeConfig.Data data, String poolName) {
        return open(db, data, poolName, false);
    }

    /**
     * @param attach for commands beside a running node: with the embedded server, use the one a live node
     *               runs on this data folder instead of refusing to start a second
     */
    public static Database open(NodeConfig.Db db, NodeConfig.Data data, String poolName, boolean attach) {
        Optional<EmbeddedServer> embedded = Optional.empty();
        FileLock[] ownership = new FileLock[1];
        String url;
        String user = db.user();
        String password = db.password();
        Optional<Integer> running = db.url().isPresent() || !attach ? Optional.empty() : livePostmasterPort(data.embeddedDatabase());
        if (db.url().isPresent()) {
            url = db.url().get();
        } else if (running.isPresent()) {
            // a node is running on this data folder: use its embedded server, never start or stop a second one
            url = "jdbc:postgresql://127.0.0.1:" + running.get() + "/postgres";
            user = "postgres";
            password = "";
            log.info("using the embedded PostgreSQL of the node running on {} (port {})", data.dir(), running.get());
        } else {
            EmbeddedServer server = startEmbedded(data.embeddedDatabase(), data.fsync(), ownership);
            embedded = Optional.of(server);
            url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres";
            user = "postgres";
            password = "";
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        if (embedded.isPresent()) {
            // connections go to the port the server has now: a restart may have had to move it
            hc.setDataSource(new EmbeddedDataSource(embedded.get(), data.fsync()));
        } else {
            hc.setJdbcUrl(url);
            hc.setUsername(user);
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(db.poolSize());
        hc.setConnectionTimeout(Duration.ofSeconds(30).toMillis());
        if (!data.fsync() && embedded.isEmpty()) {
            // data.fsync=false (benchmarks): commits do not wait for the database's disk either
            hc.addDataSourceProperty("options", "-c synchronous_commit=off");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedServer::close);
            if (ownership[0] != null) release(ownership[0]);
            throw new NodeException("cannot connect to the database at " + url + ": " + e.getMessage(), e);
        }
        Database database = new Database(embedded, pool, Optional.ofNullable(ownership[0]),
                db.url().isPresent() ? Optional.of(new Server(url, user, password)) : Optional.empty());
        try {
            database.migrate("scp");
            database.registerJobStates();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /** Makes {@code scp.job_state} hold every {@link JobState}: the enum owns the states, the table only enforces them. */
    private void registerJobStates() {
        try (java.sql.Connection c = pool.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO scp.job_state (name) VALUES (?) ON CONFLICT DO NOTHING")) {
            for (JobState state : JobState.values()) {
                ps.setString(1, state.word());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (java.sql.SQLException e) {
            throw new NodeException("cannot register the job states in scp.job_state: " + e.getMessage(), e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * Refuses a data.dir that is not the folder the other nodes on this database use (compares the id in
     * {@code <data.dir>/data-dir.id} with the one the database recorded at its first start; records both at
     * that first start). Call before anything reads or cleans the spool.
     *
     * @throws NodeException naming the folder and both ids
     */
    public void checkDataDirectory(Path dataDir) {
        DataDirectoryMark.check(pool, dataDir);
    }

    /**
     * Restarts the embedded server whenever its postmaster dies under the running node (see
     * {@link EmbeddedServer}); watches a configured server, which is its operator's to restart, so that
     * {@link #up()} knows when it is away ({@link DatabaseWatch}: one more connection to it). Nodes call this once
     * they run; commands do not, since they end soon.
     */
    public void supervise() {
        embedded.ifPresent(EmbeddedServer::supervise);
        configured.ifPresent(c -> watch = Optional.of(DatabaseWatch.start(c.url(), c.user(), c.password())));
    }

    /**
     * False while this node knows its database cannot answer: its embedded server is gone and being restarted, or
     * the configured server did not answer the last check (within a second or so of it going away). Cheap (no
     * I/O), so the receiver and the health check can ask it instead of waiting for a connection that cannot come.
     */
    public boolean up() {
        return embedded.map(EmbeddedServer::up).orElse(true) && watch.map(DatabaseWatch::up).orElse(true);
    }

    /** Why {@link #up()} is false, for the health endpoint; empty while up. */
    public String downBecause() {
        if (up()) return "";
        if (embedded.isPresent()) return "the node's database is not running; the node is restarting it";
        return "the database at " + configured.map(Server::url).orElse("?") + " does not answer: " + watch.map(DatabaseWatch::problem).orElse("");
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

    private static EmbeddedServer startEmbedded(Path dir, boolean fsync, FileLock[] ownership) {
        try {
            Files.createDirectories(dir);
            ownership[0] = tryOwn(dir).orElseThrow(() -> new NodeException("another node is running with its embedded PostgreSQL on "
                    + dir + "; stop it first or use another data.dir"));
            stopOrphanPostmaster(dir);
        } catch (IOException e) {
            throw new NodeException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
        return EmbeddedServer.start(dir, fsync);
    }

    /** The postmaster named by the data directory's postmaster.pid, if it is running. */
    private static Optional<ProcessHandle> postmaster(Path dir) throws IOException {
        return EmbeddedServer.postmaster(dir);
    }

    /**
     * The process that runs the embedded server holds an OS file lock on {@code <dir>.lock} for as long as it
     * lives; the kernel drops it when the process dies, SIGKILL included. (pg_ctl daemonises the postmaster, so
     * its parent process says nothing about the node.)
     */
    private static Optional<FileLock> tryOwn(Path dir) throws IOException {
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(lock);
    }

    private static boolean ownedByLiveNode(Path dir) throws IOException {
        Optional<FileLock> lock = tryOwn(dir);
        lock.ifPresent(Database::release);
        return lock.isEmpty();
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException e) {
            log.debug("releasing {} failed: {}", lock, e.toString());
        }
    }

    /** The port of a live node's embedded server on this data directory (postmaster.pid line 4), if there is one. */
    static Optional<Integer> livePostmasterPort(Path dir) {
        try {
            Optional<ProcessHandle> p = postmaster(dir);
            if (p.isEmpty() || !ownedByLiveNode(dir)) return Optional.empty();
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            return lines.size() > 3 ? Optional.of(Integer.parseInt(lines.get(3).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A node killed with SIGKILL leaves its embedded postmaster running on the data directory, and the
     * next start would fail against it. Stop it (SIGTERM is PostgreSQL's smart shutdown; the dead node's
     * sessions are already gone) so one restart after a crash is enough. A postmaster whose node still
     * runs is never touched.
     */
    static void stopOrphanPostmaster(Path dir) throws IOException {
        Optional<ProcessHandle> postmaster = postmaster(dir);
        if (postmaster.isEmpty()) return;
        long pid = postmaster.get().pid();
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
        watch.ifPresent(DatabaseWatch::close);
        pool.close();
        embedded.ifPresent(EmbeddedServer::close);
        ownership.ifPresent(Database::release);
    }

}
