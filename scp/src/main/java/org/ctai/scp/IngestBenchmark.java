package org.ctai.scp;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * {@code ./ctai bench ingest}: the same N phantom CT instances sent by DCMTK storescu over one association
 * (TCP_NODELAY=1) to DCMTK storescp and to the node, side by side in one run, with the node's fsync on and
 * off. Prints images/s and the ratio node / storescp. Each node run gets a fresh data folder and database,
 * so no instance is a duplicate.
 */
final class IngestBenchmark {
    private final int count;
    private final int size;
    private final int rounds;
    private final PrintStream out;

    IngestBenchmark(int count, int size, int rounds, PrintStream out) {
        this.count = count;
        this.size = size;
        this.rounds = rounds;
        this.out = out;
    }

    void run() throws Exception {
        try (ScratchFolder work = new ScratchFolder("ctai-bench-ingest")) {
            out.printf("generating %d phantom CT instances of %dx%d...%n", count, size, size);
            List<Path> files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(7).withSlices(count).withSize(size)),
                    work.resolve("series")).images();
            long bytes = 0;
            for (Path f : files) bytes += Files.size(f);
            out.printf("%d files, %.1f MB; storescu -> each receiver, %d rounds, best round reported%n", files.size(), bytes / 1e6, rounds);
            double scp = 0;
            double nodeSync = 0;
            double nodeNoSync = 0;
            for (int r = 1; r <= rounds; r++) {
                scp = Math.max(scp, storescp(work.resolve("storescp-" + r), files));
                nodeSync = Math.max(nodeSync, node(work.resolve("node-fsync-" + r), files, true));
                nodeNoSync = Math.max(nodeNoSync, node(work.resolve("node-nofsync-" + r), files, false));
                out.printf("round %d done%n", r);
            }
            out.println();
            out.printf("%-32s %10s %8s%n", "receiver", "images/s", "ratio");
            out.printf("%-32s %10.1f %8s%n", "DCMTK storescp", scp, "1.00");
            out.printf("%-32s %10.1f %8.2f%n", "CTAI node, data.fsync=false", nodeNoSync, nodeNoSync / scp);
            out.printf("%-32s %10.1f %8.2f%n", "CTAI node, data.fsync=true", nodeSync, nodeSync / scp);
        }
    }

    private double storescp(Path dir, List<Path> files) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("storescp", "-aet", "STORESCP", "-od", dir.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        try {
            waitForPort(port);
            return send("STORESCP", port, files);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            ScratchFolder.delete(dir); // the next run writes into recycled page cache, as this one may have
        }
    }

    private double node(Path data, List<Path> files, boolean fsync) throws Exception {
        List<String> options = new java.util.ArrayList<>(OneTimeLogin.unusedPage());
        options.addAll(List.of(
                "--dicom.port=0", "--dicom.allowed-callers=STORESCU", "--data.dir=" + data, "--data.fsync=" + fsync,
                "--data.min-free-mb=1", "--series.quiet-seconds=3600", "--series.release-grace-seconds=3600"));
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), options);
        try (Node node = Node.start(config)) {
            double rate = send("CTAI", node.dicomPort(), files);
            // a figure only counts if every instance was really stored (not quarantined, not refused)
            try (var c = node.dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM scp.instance")) {
                rs.next();
                if (rs.getLong(1) != files.size()) {
                    throw new IllegalStateException("the node stored " + rs.getLong(1) + " of " + files.size() + " instances");
                }
            }
            return rate;
        } finally {
            ScratchFolder.delete(data);
        }
    }

    /** images/s for one storescu association carrying every file */
    private double send(String calledAe, int port, List<Path> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", "STORESCU", "-aec", calledAe, "127.0.0.1", Integer.toString(port)));
        files.forEach(f -> cmd.add(f.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        // each receiver starts on a quiet disk, not flushing what the previous run left dirty
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        long start = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != 0) throw new IllegalStateException("storescu to " + calledAe + " failed (" + code + "):\n" + output);
        return files.size() / seconds;
    }

    private static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("storescp did not listen on " + port);
    }

}
