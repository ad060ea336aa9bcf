package org.ctai.bench;

import org.ctai.viewer.SyntheticHistory;

import org.ctai.viewer.NodeStatus;
import org.ctai.viewer.PasswordHasher;
import org.ctai.viewer.WebConfig;
import org.ctai.viewer.WebServer;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * {@code ./ctai bench viewer}: fills a fresh database (scp's schema migrated, no series yet) with one patient
 * with N studies (two tracked lesions each, realistic per-slice measurement records), starts the real
 * {@link WebServer} on loopback, logs in, and has C concurrent clients request the patient-history API
 * ({@code GET /api/patient}) for a fixed time after a warm-up. Prints requests/s, median, p95 and p99
 * latency and the response size. Goal (issue 6): the page's data in under 100 ms at the median.
 *
 * <p>Usable from the node ({@code new HistoryBenchmark(...).run()} with its own fresh database) or standalone:
 * {@code java -cp ... org.ctai.viewer.HistoryBenchmark --jdbc-url URL [--db-user U] [--studies 50]
 * [--clients 4] [--seconds 10]} with the PostgreSQL driver on the class path and the password in
 * {@code CTAI_DB_PASSWORD}. Not thread-safe; run once.
 */
public final class HistoryBenchmark {
    public static final int DEFAULT_STUDIES = 50;
    public static final int DEFAULT_CLIENTS = 4;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    private static final String USER = "bench";
    private static final String PASSWORD = "bench-password";

    private final DataSource db;
    private final Path dataDir;
    private final int studies;
    private final int clients;
    private final Duration duration;
    private final PrintStream out;

    /**
     * @param db       a fresh database with scp's schema (the benchmark refuses one that holds series)
     * @param dataDir  an empty folder for the overlay PNGs and SEG/SR files it writes
     */
    public HistoryBenchmark(DataSource db, Path dataDir, int studies, int clients, Duration duration, PrintStream out) {
        if (studies < 1 || clients < 1 || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("studies and clients must be >= 1 and the duration positive, were "
                    + studies + ", " + clients + ", " + duration);
        }
        this.db = db;
        this.dataDir = dataDir;
        this.studies = studies;
        this.clients = clients;
        this.duration = duration;
        this.out = out;
    }

    /** The figures of one run. Latencies in milliseconds. */
    public record Result(long requests, double requestsPerSecond, double medianMs, double p95Ms, double p99Ms, int responseBytes) { }

    public Result run() throws Exception {
        requireFresh();
        Files.createDirectories(dataDir);
        SyntheticHistory h = new SyntheticHistory(db, dataDir);
        SyntheticHistory.Patient p = new SyntheticHistory.Patient("BENCH-0001", "BENCH", "BENCH^PATIENT");
        long fillStart = System.nanoTime();
        for (int i = 0; i < studies; i++) {
            double f = 1.0 - 0.6 * i / studies; // shrinking under treatment
            long series = h.series(p, SyntheticHistory.uid(), String.format("2020%02d%02d", 1 + i / 28 % 12, 1 + i % 28),
                    "CT ABDOMEN FOLLOW-UP " + (i + 1), "AXIAL 2.5 mm", "queued");
            h.doneJob(series, List.of(
                    new SyntheticHistory.LesionSpec(14000 * f, 620 * f, 95 * Math.sqrt(f), 48 - 6 * (1 - f), 12 + 0.3 * i % 3, -48, 102),
                    new SyntheticHistory.LesionSpec(2600 * f, 190 * f, 51 * Math.sqrt(f), 41, 84, 22, 64)), 6, 64, 64);
        }
        out.printf("filled %d studies (2 lesions each, 6 slices of measurements per lesion) in %.1f s%n", studies, (System.nanoTime() - fillStart) / 1e9);
        WebConfig config = new WebConfig("127.0.0.1", 0,
                List.of(new WebConfig.User(USER, WebConfig.Role.VIEWER, PasswordHasher.hash(PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS))),
                true, false, dataDir, WebConfig.DEFAULT_PUBLIC_PATHS, WebConfig.DEFAULT_SESSION_TIMEOUT);
        try (WebServer server = new WebServer(config, db, NodeStatus.of(true, "CPU"))) {
            server.start();
            String base = "http://127.0.0.1:" + server.port();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (login.statusCode() != 200) throw new IllegalStateException("benchmark login failed: HTTP " + login.statusCode());
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/patient?id=" + URLEncoder.encode(p.id(), StandardCharsets.UTF_8)
                    + "&issuer=" + URLEncoder.encode(p.issuer(), StandardCharsets.UTF_8))).header("Cookie", cookie).GET().build();
            int bytes = 0;
            long warmUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < warmUntil) bytes = check(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
            return measure(client, request, bytes);
        }
    }

    private Result measure(HttpClient client, HttpRequest request, int bytes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients, r -> new Thread(r, "bench-client"));
        try {
            CountDownLatch go = new CountDownLatch(1);
            long[] deadline = new long[1];
            List<Future<long[]>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    long[] lat = new long[1024];
                    int n = 0;
                    while (System.nanoTime() < deadline[0]) {
                        long t0 = System.nanoTime();
                        check(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
                        if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                        lat[n++] = System.nanoTime() - t0;
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            long start = System.nanoTime();
            deadline[0] = start + duration.toNanos();
            go.countDown();
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> f : futures) all.add(f.get());
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            Result r = new Result(lat.length, lat.length / seconds, pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99), bytes);
            out.printf("GET /api/patient (%d studies), %d clients over loopback, %.1f s%n", studies, clients, seconds);
            out.printf("%10s %12s %10s %10s %10s %12s%n", "requests", "requests/s", "median ms", "p95 ms", "p99 ms", "bytes/resp");
            out.printf("%10d %12.1f %10.2f %10.2f %10.2f %12d%n", r.requests, r.requestsPerSecond, r.medianMs, r.p95Ms, r.p99Ms, r.responseBytes);
            out.printf("goal: median under 100 ms -> %s%n", r.medianMs < 100 ? "met" : "NOT met");
            return r;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int check(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) throw new IllegalStateException("patient history answered HTTP " + r.statusCode());
        return r.body().length;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private void requireFresh() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scp.series");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw new IllegalStateException("HistoryBenchmark needs a fresh database: scp.series holds " + rs.getLong(1) + " rows");
            }
        }
    }

    /** Standalone: see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        String url = null;
        String user = "postgres";
        int studies = DEFAULT_STUDIES;
        int clients = DEFAULT_CLIENTS;
        Duration duration = DEFAULT_DURATION;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--jdbc-url" -> url = args[i + 1];
                case "--db-user" -> user = args[i + 1];
                case "--studies" -> studies = Integer.parseInt(args[i + 1]);
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--seconds" -> duration = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) throw new IllegalArgumentException("usage: HistoryBenchmark --jdbc-url URL [--db-user U] [--studies N] [--clients C] [--seconds S]");
        Path dir = Files.createTempDirectory("ctai-bench-viewer");
        new HistoryBenchmark(new DriverManagerSource(url, user, System.getenv("CTAI_DB_PASSWORD")), dir, studies, clients, duration, System.out).run();
    }

    /** A connection per call through DriverManager, for the standalone run only. */
    private record DriverManagerSource(String url, String user, String password) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        @Override
        public Connection getConnection(String u, String pw) throws SQLException {
            return DriverManager.getConnection(url, u, pw);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
