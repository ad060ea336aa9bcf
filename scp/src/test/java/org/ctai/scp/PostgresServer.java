package org.ctai.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's real PostgreSQL server (package postgresql, installed by ./ctai test), as production runs it: initdb and
 * pg_ctl as user postgres, on a free port and the given addresses, trusting the given network. Not the embedded
 * one. A test may {@link #stop()} and {@link #start()} it again; {@link #close()} stops it (immediate mode) and
 * removes its files, also when a test failed.
 */
final class PostgresServer implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path base;
    private final Path data;
    final int port;
    private final String address;

    /** Why the server cannot run here, or empty. */
    static Optional<String> unavailableBecause() {
        if (!Files.isExecutable(BIN.resolve("pg_ctl"))) return Optional.of("Debian's PostgreSQL 15 is not installed (" + BIN
                + "/pg_ctl); ./ctai test installs it (apt package postgresql)");
        if (!Files.isExecutable(Path.of("/usr/sbin/runuser"))) return Optional.of("runuser is missing");
        return Optional.empty();
    }

    /**
     * @param address  where it listens (one address)
     * @param network  the CIDR whose clients it trusts
     */
    PostgresServer(String address, String network) throws Exception {
        this.address = address;
        base = Files.createTempDirectory("ctai-pg-");
        data = base.resolve("data");
        port = NodeProcess.freePort();
        try {
            run(List.of("chown", "postgres:postgres", base.toString()));
            Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres", "--no-sync"));
            asPostgres(List.of("sh", "-c", "echo 'host all all " + network + " trust' >> " + data.resolve("pg_hba.conf")));
            start();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Starts the server (again, after {@link #stop()}) on the same port and data, and waits until it takes connections. */
    void start() throws IOException {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", base.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + base + " -c listen_addresses=" + address + " -c fsync=off -c max_connections=200",
                "-w", "-t", "60", "start"));
    }

    /** Stops the server as an operator would for maintenance ({@code pg_ctl stop -m fast}: sessions are ended, nothing committed is lost). */
    void stop() throws IOException {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + address + ":" + port + "/postgres";
    }

    /** The URL with the user in it, for the test's own queries. */
    String testUrl() {
        return jdbcUrl() + "?user=postgres";
    }

    private static void asPostgres(List<String> cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        run(full);
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
            }
        } catch (IOException e) {
            System.err.println("PostgresServer: stopping failed: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("PostgresServer: cannot remove " + base + ": " + e.getMessage());
        }
    }
}
