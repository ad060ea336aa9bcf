package org.ctai.scp.storage;

import org.ctai.scp.NodeException;

import org.ctai.scp.config.NodeConfig;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * Waits on a pipe from this JVM and, when it reads end-of-file (the JVM is gone, SIGKILL included, since
     * the kernel closes the pipe), asks the postmaster for a fast shutdown, unless postmaster.pid names another
     * process by then (a new node started its own). Its own session, so a signal to the node's process group
     * does not take it away first. Arguments: the data directory, the postmaster's pid.
     */
    private static final String WATCHDOG = "while read -r _; do :; done; "
            + "[ \"$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null)\" = \"$2\" ] && kill -INT \"$2\"; exit 0";

    /** The embedded server this process started, and the process that stops it if this JVM dies. */
    private record Embedded(EmbeddedPostgres server, Optional<Process> watchdog) { }

    private final Optional<Embedded> embedded;
    private final HikariDataSource pool;
    /** Held while this process runs the embedded server. */
    private final Optional<FileLock> ownership;
    private volatile boolean closed;

    private Database(Optional<Embedded> embedded, HikariDataSource pool, Optional<FileLock> ownership) {
        this.embedded = embedded;
        this.pool = pool;
        this.ownership = ownership;
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
        Optional<Embedded> embedded = Optional.empty();
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
            EmbeddedPostgres pg = startEmbedded(data.embeddedDatabase(), data.fsync(), ownership);
            embedded = Optional.of(new Embedded(pg, watchdog(data.embeddedDatabase())));
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
            embedded.ifPresent(Database::stop);
            if (ownership[0] != null) release(ownership[0]);
            throw new NodeException("cannot connect to the database at " + url + ": " + e.getMessage(), e);
        }
        Database database = new Database(embedded, pool, Optional.ofNullable(ownership[0]));
        database.migrate("scp");
        database.registerJobStates();
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

    /** Applies {@code classpath:db/<module>} to schema {@code <module>}, with that module's own history table. */
    public void migrate(String module) {
        Flyway.configure(getClass().getClassLoader())
                .dataSource(pool)
                .schemas(module)
                .locations("classpath:db/" + module)
                .load()
                .migrate();
    }

    private static EmbeddedPostgres startEmbedded(Path dir, boolean fsync, FileLock[] ownership) {
        try {
            Files.createDirectories(dir);
            ownership[0] = tryOwn(dir).orElseThrow(() -> new NodeException("another node is running with its embedded PostgreSQL on "
                    + dir + "; stop it first or use another data.dir"));
            stopOrphanPostmaster(dir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // the library starts the postmaster with -F and synchronous_commit=off (a throwaway test
                    // server); a -c after -F wins, so with data.fsync a committed row survives a power cut
                    .setServerConfig("fsync", fsync ? "on" : "off")
                    .setServerConfig("synchronous_commit", fsync ? "on" : "off")
                    // the node stops it last, in close(); the library's own hook stopped it under the workers at Ctrl-C
                    .setRegisterShutdownHook(false)
                    .start();
            log.info("embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir);
            return pg;
        } catch (IOException e) {
            throw new NodeException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The postmaster named by the data directory's postmaster.pid, if it is running. */
    private static Optional<ProcessHandle> postmaster(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return Optional.empty();
        String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").trim();
        try {
            return ProcessHandle.of(Long.parseLong(first))
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (NumberFormatException e) {
            return Optional.empty(); // not a pid file PostgreSQL would honour either
        }
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

    /**
     * Starts the process that stops the embedded postmaster when this JVM dies: pg_ctl daemonises the
     * postmaster, so nothing else would (it kept running as an orphan after a SIGKILL, holding memory and the
     * data directory until the next start). Without one the node still runs; the next start stops the orphan.
     */
    private static Optional<Process> watchdog(Path dir) {
        try {
            Optional<ProcessHandle> postmaster = postmaster(dir);
            if (postmaster.isEmpty()) {
                log.warn("no postmaster.pid in {}; the embedded PostgreSQL will outlive this process if it is killed", dir);
                return Optional.empty();
            }
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) command.add("/usr/bin/setsid");
            command.addAll(List.of("/bin/sh", "-c", WATCHDOG, "ctai-postgres-watchdog", dir.toString(),
                    Long.toString(postmaster.get().pid())));
            return Optional.of(new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            log.warn("cannot start the watchdog of the embedded PostgreSQL ({}); it will outlive this process if it is killed",
                    e.toString());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close();
        embedded.ifPresent(Database::stop);
        ownership.ifPresent(Database::release);
    }

    private static void stop(Embedded e) {
        closeQuietly(e.server());
        // the postmaster is gone: end-of-file lets the watchdog exit without a signal to send
        e.watchdog().ifPresent(w -> {
            try {
                w.getOutputStream().close();
                if (!w.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) w.destroy();
            } catch (IOException ex) {
                w.destroy();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                w.destroy();
            }
        });
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            log.warn("stopping the embedded PostgreSQL failed: {}", e.toString());
        }
    }
}
