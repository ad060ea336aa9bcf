package org.ctai.scp.storage;

import org.ctai.scp.NodeException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of one node, on the node's data directory, and its {@link Supervisor}: a postmaster
 * that dies under the running node (the kernel's OOM killer sends SIGKILL) is started again on the same data
 * directory, where PostgreSQL's crash recovery replays every committed transaction, so nothing the node
 * acknowledged is lost. The server keeps its port where it can, so the pool's connections come back by
 * themselves; only when that port stays taken by someone else is another chosen (see {@link #port()}).
 *
 * <p>Thread-safe: the supervisor thread restarts, any thread reads {@link #up()} and {@link #port()}.
 */
final class EmbeddedServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
    /** How often the supervisor looks at the postmaster. UNIT: the check is one /proc read. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** Longest wait between two restart attempts while the server will not start. */
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    /**
     * A restart keeps the old port (the pool's connections then need nothing) until it has failed this long
     * because the port is taken; then any free port is used. Rare: only another listener can hold it.
     */
    private static final Duration KEEP_PORT_FOR = Duration.ofSeconds(30);
    /** How long pg_ctl waits for a restarted server, crash recovery included. */
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    /**
     * Waits on a pipe from this JVM and, when it reads end-of-file (the JVM is gone, SIGKILL included, since
     * the kernel closes the pipe), asks the postmaster for a fast shutdown, unless postmaster.pid names another
     * process by then (a new node started its own). Its own session, so a signal to the node's process group
     * does not take it away first. Arguments: the data directory, the postmaster's pid.
     */
    private static final String WATCHDOG = "while read -r _; do :; done; "
            + "[ \"$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null)\" = \"$2\" ] && kill -INT \"$2\"; exit 0";

    /** One run of the postmaster, and the process that stops it if this JVM dies. */
    private record Run(long pid, Optional<Process> watchdog) { }

    private final Path dir;
    /**
     * The library's server, started once: its close() stops whichever postmaster runs on the directory then
     * (pg_ctl stop) and releases its lock. Restarts do not go through the library, which leaks its lock in the
     * data directory when a start fails, so that no later start in this JVM could succeed.
     */
    private final EmbeddedPostgres library;
    /** Whether the library runs the server in its own user namespace (unshare -U, as root). */
    private final boolean ownUserNamespace;
    private final Object lock = new Object();
    private Run run; // guarded by lock
    private volatile int port;
    private volatile boolean up = true;
    private volatile boolean closed;
    private Thread supervisor; // guarded by lock

    private EmbeddedServer(Path dir, EmbeddedPostgres library, Run run, boolean ownUserNamespace) {
        this.dir = dir;
        this.library = library;
        this.run = run;
        this.ownUserNamespace = ownUserNamespace;
        this.port = library.getPort();
    }

    /** Starts the server on {@code dir} (the caller holds the data directory's ownership lock). */
    static EmbeddedServer start(Path dir, boolean fsync) {
        try {
            EmbeddedPostgres pg = launch(dir, fsync);
            long pid = postmaster(dir).map(ProcessHandle::pid).orElse(-1L);
            return new EmbeddedServer(dir, pg, new Run(pid, pid > 0 ? watchdog(dir, pid) : Optional.empty()), otherUserNamespace(pid));
        } catch (IOException | RuntimeException e) {
            throw new NodeException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The port the server listens on now (127.0.0.1); changes only if a restart could not get the old one. */
    int port() {
        return port;
    }

    /** False from the moment the supervisor finds the postmaster gone until it runs again. */
    boolean up() {
        return up;
    }

    /** Starts the supervisor thread; the server is then restarted whenever its postmaster dies. */
    void supervise() {
        synchronized (lock) {
            if (supervisor != null || closed) return;
            supervisor = new Thread(new Supervisor(), "embedded-postgres-supervisor");
            supervisor.setDaemon(true);
            supervisor.start();
        }
    }

    private static EmbeddedPostgres launch(Path dir, boolean fsync) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // the library starts the postmaster with -F and synchronous_commit=off (a throwaway test
                // server); a -c after -F wins, so with data.fsync a committed row survives a power cut
                .setServerConfig("fsync", fsync ? "on" : "off")
                .setServerConfig("synchronous_commit", fsync ? "on" : "off")
                // the node stops it last, in close(); the library's own hook stopped it under the workers at Ctrl-C
                .setRegisterShutdownHook(false);
        EmbeddedPostgres pg = b.start();
        log.info("embedded PostgreSQL running on port {} with data in {}", pg.getPort(), dir);
        return pg;
    }

    private static boolean otherUserNamespace(long pid) {
        try {
            return pid > 0 && !Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "user"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Starts the postmaster again as it was started last (PostgreSQL records the command line in
     * postmaster.opts), on {@code onPort}; pg_ctl waits until it accepts connections, crash recovery included.
     */
    private Run relaunch(int onPort) throws IOException, InterruptedException {
        Optional<ProcessHandle> running = postmaster(dir);
        if (running.isPresent()) {
            // an earlier attempt's server came up after its pg_ctl stopped waiting: adopt it once it is ready
            List<String> pidFile = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            if (pidFile.size() < 8 || !pidFile.get(7).trim().equals("ready")) throw new IOException("a postmaster is starting on " + dir);
            port = Integer.parseInt(pidFile.get(3).trim());
            return new Run(running.get().pid(), watchdog(dir, running.get().pid()));
        }
        List<String> opts = PostmasterOptions.read(dir.resolve("postmaster.opts"));
        Path postgres = Path.of(opts.get(0));
        List<String> args = PostmasterOptions.withPort(PostmasterOptions.withoutDataDirectory(opts.subList(1, opts.size())), onPort);
        List<String> command = new ArrayList<>();
        if (ownUserNamespace) command.addAll(List.of("unshare", "-U"));
        command.addAll(List.of(postgres.resolveSibling("pg_ctl").toString(), "-D", dir.toString(), "-o", PostmasterOptions.quoted(args),
                "-l", dir.resolveSibling(dir.getFileName() + ".log").toString(), "-w", "-t", Long.toString(START_WAIT.toSeconds()), "start"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(START_WAIT.toSeconds() + 10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("pg_ctl start did not return within " + (START_WAIT.toSeconds() + 10) + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("pg_ctl start exited with " + p.exitValue() + " (the server's own log: "
                    + dir.resolveSibling(dir.getFileName() + ".log") + ")");
        }
        long pid = postmaster(dir).map(ProcessHandle::pid).orElseThrow(() -> new IOException("no postmaster after pg_ctl start"));
        port = onPort;
        return new Run(pid, watchdog(dir, pid));
    }

    /** The postmaster named by the data directory's postmaster.pid, if it is running. */
    static Optional<ProcessHandle> postmaster(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return Optional.empty();
        String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").trim();
        try {
            return ProcessHandle.of(Long.parseLong(first))
                    .filter(EmbeddedServer::running)
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        } catch (NumberFormatException e) {
            return Optional.empty(); // not a pid file PostgreSQL would honour either
        }
    }

    /**
     * Alive and not a zombie: a daemonised postmaster's parent is init, and where init does not reap (a
     * container's first process) a killed postmaster stays in the process table.
     */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return p.isAlive(); // no /proc: trust the JDK
        }
    }

    /**
     * Starts the process that stops the embedded postmaster when this JVM dies: pg_ctl daemonises the
     * postmaster, so nothing else would (it kept running as an orphan after a SIGKILL, holding memory and the
     * data directory until the next start). Without one the node still runs; the next start stops the orphan.
     */
    private static Optional<Process> watchdog(Path dir, long pid) {
        try {
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) command.add("/usr/bin/setsid");
            command.addAll(List.of("/bin/sh", "-c", WATCHDOG, "ctai-postgres-watchdog", dir.toString(), Long.toString(pid)));
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

    /** Watches the postmaster; when it is gone, starts a new one on the same data directory. */
    private final class Supervisor implements Runnable {
        @Override
        public void run() {
            while (!closed) {
                try {
                    Thread.sleep(CHECK_INTERVAL.toMillis());
                    if (!closed && !alive()) recover();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // never let one bad round end the supervision for good
                    log.error("supervising the embedded PostgreSQL on {} failed; checking again in {} s: {}",
                            dir, CHECK_INTERVAL.toSeconds(), e.toString());
                }
            }
        }

        private boolean alive() {
            long pid;
            synchronized (lock) {
                pid = run.pid();
            }
            return pid <= 0 || ProcessHandle.of(pid).filter(EmbeddedServer::running).isPresent();
        }

        private void recover() throws InterruptedException {
            up = false;
            long pid;
            synchronized (lock) {
                pid = run.pid();
            }
            log.error("the embedded PostgreSQL (pid {}, port {}) on {} is gone (killed, out of memory?); restarting it on the same "
                    + "data directory. C-STOREs wait for it or are answered A700 (the sender retries); /healthz says down meanwhile",
                    pid, port, dir);
            long began = System.nanoTime();
            Duration wait = CHECK_INTERVAL;
            while (!closed) {
                boolean keepPort = System.nanoTime() - began < KEEP_PORT_FOR.toNanos();
                try {
                    restart(keepPort ? port : freePort());
                    up = true;
                    log.info("the embedded PostgreSQL runs again on port {} after {} ms; the node resumes",
                            port, (System.nanoTime() - began) / 1_000_000);
                    return;
                } catch (IOException | RuntimeException e) {
                    log.warn("restarting the embedded PostgreSQL on {} (port {}) failed, trying again in {} s: {}",
                            dir, keepPort ? port : "any", wait.toSeconds(), e.toString());
                }
                Thread.sleep(wait.toMillis());
                wait = wait.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait.multipliedBy(2);
            }
        }

        private void restart(int onPort) throws IOException, InterruptedException {
            synchronized (lock) {
                if (closed) return;
                Run old = run;
                run = relaunch(onPort);
                // only now: the old watchdog reads the new pid in postmaster.pid and exits without a signal
                endWatchdog(old);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            t = supervisor;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            closeQuietly(library);
            endWatchdog(run);
        }
    }

    private static void endWatchdog(Run r) {
        // the postmaster is gone or another runs: end-of-file lets the watchdog exit without a signal to send
        r.watchdog().ifPresent(w -> {
            try {
                w.getOutputStream().close();
                if (!w.waitFor(5, TimeUnit.SECONDS)) w.destroy();
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
