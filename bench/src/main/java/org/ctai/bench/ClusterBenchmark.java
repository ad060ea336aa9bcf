package org.ctai.bench;

import org.ctai.scp.Node;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.demo.LocalPacs;
import org.ctai.scp.demo.OneTimeLogin;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * {@code ./ctai bench cluster}: the same load (phantom series sent at once by DCMTK storescu, results to a
 * loopback C-STORE SCP) through one node and through two nodes on one PostgreSQL server and one data folder,
 * side by side: series/min and images/s from the first send to the last result delivered, and the queue's
 * claim latency under that load (queued -> claimed, from the job events). Both nodes run in this JVM with the
 * real model; the PostgreSQL is a separate server process (a fresh database per run). On one machine the nodes
 * share its cores, so the second node can only win what the first leaves idle (waits on I/O, completion and
 * sending); on two machines each brings its own.
 */
final class ClusterBenchmark {
    private final int seriesCount;
    private final int slices;
    private final int size;
    private final PrintStream out;

    ClusterBenchmark(int seriesCount, int slices, int size, PrintStream out) {
        this.seriesCount = seriesCount;
        this.slices = slices;
        this.size = size;
        this.out = out;
    }

    /** One run's figures. */
    private record Figures(int nodes, double seconds, double claimMedian, double claimP95, double claimMax, String perNode) {
        double seriesPerMinute(int series) {
            return series * 60.0 / seconds;
        }
    }

    void run() throws Exception {
        try (ScratchFolder work = new ScratchFolder("ctai-bench-cluster");
             EmbeddedPostgres server = EmbeddedPostgres.builder().start()) {
            out.printf("generating %d phantom series of %d slices %dx%d...%n", seriesCount, slices, size, size);
            List<PhantomFiles> series = new ArrayList<>();
            for (int i = 0; i < seriesCount; i++) {
                series.add(PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(100 + i).withSlices(slices).withSize(size).withTumours(1)),
                        work.resolve("series-" + i)));
            }
            // the first run in the JVM pays for class loading and JIT: a short one, not reported, so neither side does
            measure(server, work.resolve("warm-up"), series.subList(0, Math.min(2, series.size())), 1, "warm_up");
            Figures one = measure(server, work.resolve("one"), series, 1, "one");
            Figures two = measure(server, work.resolve("two"), series, 2, "two");
            double images = (double) seriesCount * slices;
            out.println();
            out.printf(Locale.ROOT, "%d series x %d slices %dx%d, sent at once (after a warm-up run); first send to last result delivered:%n", seriesCount, slices, size, size);
            out.printf(Locale.ROOT, "  %-34s %12s %12s%n", "", "one node", "two nodes");
            out.printf(Locale.ROOT, "  %-34s %12.2f %12.2f%n", "wall clock (s)", one.seconds, two.seconds);
            out.printf(Locale.ROOT, "  %-34s %12.1f %12.1f%n", "series/min", one.seriesPerMinute(seriesCount), two.seriesPerMinute(seriesCount));
            out.printf(Locale.ROOT, "  %-34s %12.1f %12.1f%n", "images/s", images / one.seconds, images / two.seconds);
            out.printf(Locale.ROOT, "  %-34s %12.3f %12.3f%n", "claim latency median (s)", one.claimMedian, two.claimMedian);
            out.printf(Locale.ROOT, "  %-34s %12.3f %12.3f%n", "claim latency p95 (s)", one.claimP95, two.claimP95);
            out.printf(Locale.ROOT, "  %-34s %12.3f %12.3f%n", "claim latency max (s)", one.claimMax, two.claimMax);
            out.printf(Locale.ROOT, "  %-34s %12s %12s%n", "jobs done per node", one.perNode, two.perNode);
            out.printf(Locale.ROOT, "%nratio two / one (series/min): %.2f on %d cores. Claim latency is queued -> claimed: a job waits "
                    + "there for a free worker, so under load it grows with the queue, not with the claim statement.%n",
                    one.seconds / two.seconds, Runtime.getRuntime().availableProcessors());
        }
    }

    private Figures measure(EmbeddedPostgres server, Path dir, List<PhantomFiles> series, int nodeCount, String run) throws Exception {
        String database = "cluster_" + run + "_" + ProcessHandle.current().pid();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String url = server.getJdbcUrl("postgres", database);
        out.printf("%s: %d node(s), %d series, on %s...%n", run, nodeCount, series.size(), url);
        List<Node> nodes = new ArrayList<>();
        try (LocalPacs pacs = new LocalPacs("BENCHPACS", dir.resolve("pacs"), f -> { })) {
            for (int i = 0; i < nodeCount; i++) {
                List<String> options = new ArrayList<>(OneTimeLogin.unusedPage());
                options.addAll(List.of("--dicom.port=0", "--dicom.allowed-callers=STORESCU", "--data.dir=" + dir.resolve("data"),
                        "--data.min-free-mb=1", "--db.url=" + url, "--db.user=postgres",
                        "--send.destinations=BENCHPACS@127.0.0.1:" + pacs.port()));
                NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), options);
                nodes.add(Node.start(config));
            }
            try {
                long began = System.nanoTime();
                List<Process> senders = new ArrayList<>();
                for (int i = 0; i < series.size(); i++) {
                    Node to = nodes.get(i % nodeCount);
                    List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", "STORESCU", "-aec", to.config().dicom().aeTitle(), "127.0.0.1",
                            Integer.toString(to.dicomPort())));
                    series.get(i).images().forEach(f -> cmd.add(f.toString()));
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                    pb.environment().put("TCP_NODELAY", "1");
                    senders.add(pb.start());
                }
                for (Process p : senders) {
                    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) throw new IllegalStateException("storescu failed:\n" + output);
                }
                DataSource ds = nodes.get(0).dataSource();
                while (count(ds, "SELECT count(*) FROM scp.job WHERE state = 'done'") < series.size()
                        || count(ds, "SELECT count(*) FROM scp.outbox WHERE state <> 'sent'") > 0) {
                    if (count(ds, "SELECT count(*) FROM scp.job WHERE state IN ('failed', 'dead')") > 0) {
                        throw new IllegalStateException("a job failed; see the log");
                    }
                    Thread.sleep(50);
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                return figures(ds, nodeCount, seconds);
            } finally {
                for (Node n : nodes) n.close();
            }
        }
    }

    private static Figures figures(DataSource ds, int nodeCount, double seconds) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH claim AS (
                    SELECT extract(epoch FROM min(e.at) - j.created_at) AS s
                    FROM scp.job j JOIN scp.job_event e ON e.job_id = j.id AND e.to_state = 'running'
                    GROUP BY j.id, j.created_at)
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.95) WITHIN GROUP (ORDER BY s), max(s),
                       (SELECT string_agg(n::text, '+' ORDER BY n DESC) FROM (
                            SELECT count(*) AS n FROM scp.job_event WHERE to_state = 'done' GROUP BY owner) per)
                FROM claim""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Figures(nodeCount, seconds, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getString(4));
        }
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
