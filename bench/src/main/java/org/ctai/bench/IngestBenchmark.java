package org.ctai.bench;

import org.ctai.scp.Node;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.demo.OneTimeLogin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * {@code ./ctai bench ingest}: the same N phantom CT instances sent by DCMTK storescu over one association (and, for the
 * node, once more in one STOW-RS request)
 * (TCP_NODELAY=1) to DCMTK storescp and to the node, side by side in one run, with the node's fsync on and
 * off, over several rounds. Prints each round's images/s and ratios node / storescp, and their medians. Each node run gets a fresh data folder and database,
 * so no instance is a duplicate; the folders stay until the end.
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

    /** The receivers compared, in the order of the first round. */
    private enum Receiver {
        STORESCP("DCMTK storescp", "storescp"),
        NODE_NO_FSYNC("CTAI node, data.fsync=false", "node-nofsync"),
        NODE_FSYNC("CTAI node, data.fsync=true", "node-fsync"),
        NODE_STOW("CTAI node STOW-RS, fsync=false", "node-stow");

        final String label;
        final String folder;

        Receiver(String label, String folder) {
            this.label = label;
            this.folder = folder;
        }
    }

    void run() throws Exception {
        try (ScratchFolder work = new ScratchFolder("ctai-bench-ingest")) {
            out.printf("generating %d phantom CT instances of %dx%d...%n", count, size, size);
            List<Path> files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(7).withSlices(count).withSize(size)),
                    work.resolve("series")).images();
            long bytes = 0;
            for (Path f : files) bytes += Files.size(f);
            out.printf("%d files, %.1f MB; storescu -> each receiver, %d rounds%n", files.size(), bytes / 1e6, rounds);
            // not measured: the JVM compiles the node's receive paths here (after 500 instances its compiler was
            // still busy, 0.1-0.4 ms of CPU per instance), not during the measured runs
            node(work.resolve("warm-up-1"), files, false);
            node(work.resolve("warm-up-2"), files, true);
            // Nothing is deleted before the end: on ext4 without a journal (as on the machines we measure on), a file
            // created within a minute of a deletion scans past every inode just freed, and whoever ran right after a
            // deletion lost a third of its time to that. How fast page-cache writes are changes from one run to the
            // next (memory the hypervisor took back must be supplied again), so each round compares receivers that
            // ran within seconds of each other, the order rotating so each takes each place in turn, and the
            // figure is the median of the rounds' ratios.
            Map<Receiver, List<Double>> rates = new EnumMap<>(Receiver.class);
            List<Receiver> order = new ArrayList<>(List.of(Receiver.values()));
            for (int r = 1; r <= rounds; r++) {
                Map<Receiver, Double> round = new EnumMap<>(Receiver.class);
                for (Receiver receiver : order) {
                    Path dir = work.resolve(receiver.folder + "-" + r);
                    round.put(receiver, switch (receiver) {
                        case STORESCP -> storescp(dir, files);
                        case NODE_NO_FSYNC -> node(dir, files, false);
                        case NODE_FSYNC -> node(dir, files, true);
                        case NODE_STOW -> nodeByStow(dir, files);
                    });
                }
                round.forEach((receiver, rate) -> rates.computeIfAbsent(receiver, k -> new ArrayList<>()).add(rate));
                double scp = round.get(Receiver.STORESCP);
                out.printf("round %d: storescp %.1f, node fsync=false %.1f (%.2f), node fsync=true %.1f (%.2f), node STOW-RS %.1f (%.2f) images/s%n",
                        r, scp, round.get(Receiver.NODE_NO_FSYNC), round.get(Receiver.NODE_NO_FSYNC) / scp,
                        round.get(Receiver.NODE_FSYNC), round.get(Receiver.NODE_FSYNC) / scp,
                        round.get(Receiver.NODE_STOW), round.get(Receiver.NODE_STOW) / scp);
                Collections.rotate(order, 1);
            }
            out.println();
            out.printf("%-30s %16s %14s %13s%n", "receiver", "median images/s", "best images/s", "median ratio");
            List<Double> scp = rates.get(Receiver.STORESCP);
            for (Receiver receiver : Receiver.values()) {
                List<Double> own = rates.get(receiver);
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < own.size(); i++) ratios.add(own.get(i) / scp.get(i));
                out.printf("%-30s %16.1f %14.1f %13.2f%n", receiver.label, median(own), Collections.max(own), median(ratios));
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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
        }
    }

    private double node(Path data, List<Path> files, boolean fsync) throws Exception {
        return node(data, files, fsync, false);
    }

    /** The same files posted by STOW-RS in one request (HTTP/1.1 on loopback, streamed from the files), fsync off. */
    private double nodeByStow(Path data, List<Path> files) throws Exception {
        return node(data, files, false, true);
    }

    private double node(Path data, List<Path> files, boolean fsync, boolean stow) throws Exception {
        List<String> options = new java.util.ArrayList<>(OneTimeLogin.unusedPage());
        options.addAll(List.of(
                "--dicom.port=0", "--dicom.allowed-callers=STORESCU", "--data.dir=" + data, "--data.fsync=" + fsync,
                "--data.min-free-mb=1", "--series.quiet-seconds=3600", "--series.release-grace-seconds=3600"));
        String senderPassword = java.util.UUID.randomUUID().toString();
        if (stow) options.add("--web.users=bench:sender:" + org.ctai.viewer.PasswordHasher.hash(senderPassword.toCharArray()));
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), options);
        try (Node node = Node.start(config)) {
            double rate = stow ? post(node.webPort(), "bench", senderPassword, files) : send("CTAI", node.dicomPort(), files);
            // a figure only counts if every instance was really stored (not quarantined, not refused); with
            // data.fsync=false the rows are committed just after the responses, so give the indexer a moment
            long stored = 0;
            for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
                stored = storedInstances(node);
                if (stored == files.size()) break;
            }
            if (stored != files.size()) {
                throw new IllegalStateException("the node stored " + stored + " of " + files.size() + " instances");
            }
            return rate;
        }
    }

    private static long storedInstances(Node node) throws java.sql.SQLException {
        try (var c = node.dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM scp.instance")) {
            rs.next();
            return rs.getLong(1);
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

    /** images/s for one STOW-RS request carrying every file, from the first byte sent to the store response */
    private static double post(int port, String user, String password, List<Path> files) throws Exception {
        String boundary = "ctai-bench-" + System.nanoTime();
        java.util.Vector<java.util.function.Supplier<java.io.InputStream>> pieces = new java.util.Vector<>();
        for (Path f : files) {
            pieces.add(() -> new java.io.ByteArrayInputStream(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            pieces.add(() -> {
                try {
                    return Files.newInputStream(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            pieces.add(() -> new java.io.ByteArrayInputStream("\r\n".getBytes(StandardCharsets.US_ASCII)));
        }
        pieces.add(() -> new java.io.ByteArrayInputStream(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII)));
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/dicomweb/studies"))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> {
                    // opened lazily, one piece after the other, so the body is never held in memory
                    var it = pieces.iterator();
                    return new java.io.SequenceInputStream(new java.util.Enumeration<java.io.InputStream>() {
                        public boolean hasMoreElements() { return it.hasNext(); }
                        public java.io.InputStream nextElement() { return it.next().get(); }
                    });
                })).build();
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        long start = System.nanoTime();
        var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (response.statusCode() != 200) throw new IllegalStateException("STOW-RS answered " + response.statusCode() + ": " + response.body());
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
