package org.ctai.bench;

import org.ctai.scp.Node;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.demo.LocalPacs;
import org.ctai.scp.demo.OneTimeLogin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * {@code ./ctai bench e2e}: one phantom series sent by DCMTK storescu to the node on its shipped defaults,
 * the results received by a loopback C-STORE SCP. Prints the latency from the last C-STORE response to
 * the SEG and SR stored at the destination, broken into completion wait, queue, load, inference,
 * measurement, writing and sending, and the ratio of total latency to inference time.
 */
final class EndToEndBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int slices;
    private final int size;
    private final PrintStream out;

    EndToEndBenchmark(int slices, int size, PrintStream out) {
        this.slices = slices;
        this.size = size;
        this.out = out;
    }

    void run() throws Exception {
        try (ScratchFolder work = new ScratchFolder("ctai-bench-e2e")) {
            out.printf("generating a %d-slice %dx%d phantom series...%n", slices, size, size);
            PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(31).withSlices(slices).withSize(size).withTumours(2)),
                    work.resolve("series"));
            try (LocalPacs pacs = new LocalPacs("BENCHPACS", work.resolve("pacs"), f -> { })) {
                List<String> options = new java.util.ArrayList<>(OneTimeLogin.unusedPage());
                options.addAll(List.of(
                        "--dicom.port=0", "--dicom.allowed-callers=STORESCU", "--data.dir=" + work.resolve("data"), "--data.min-free-mb=1",
                        "--send.destinations=BENCHPACS@127.0.0.1:" + pacs.port()));
                NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), options);
                try (Node node = Node.start(config)) {
                    List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", "STORESCU", "-aec", config.dicom().aeTitle(), "127.0.0.1",
                            Integer.toString(node.dicomPort())));
                    files.images().forEach(f -> cmd.add(f.toString()));
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                    pb.environment().put("TCP_NODELAY", "1");
                    Process p = pb.start();
                    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) throw new IllegalStateException("storescu failed:\n" + output);
                    long released = System.nanoTime();
                    out.println("sent; waiting for the SEG and SR at the destination...");
                    while (!delivered(node)) Thread.sleep(20);
                    long arrived = System.nanoTime();
                    report(node, (arrived - released) / 1e9);
                }
            }
        }
    }

    private static boolean delivered(Node node) throws Exception {
        try (Connection c = node.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scp.outbox WHERE state = 'sent'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }

    private void report(Node node, double totalSeconds) throws Exception {
        try (Connection c = node.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT extract(epoch FROM h.queued_at - s.last_received_at), extract(epoch FROM h.started_at - h.queued_at),
                       extract(epoch FROM h.sent_at - h.inferred_at), j.result::text, h.lesion_count
                FROM scp.history h JOIN scp.job j ON j.id = h.job_id JOIN scp.series s ON s.series_uid = h.series_uid""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            double completion = rs.getDouble(1);
            double queue = rs.getDouble(2);
            double sending = rs.getDouble(3);
            JsonNode t = JSON.readTree(rs.getString(4)).get("timingsMs");
            double load = t.get("load").asDouble() / 1000;
            double inference = t.get("segmentation").asDouble() / 1000;
            double measure = t.get("measurement").asDouble() / 1000;
            double writing = t.get("writing").asDouble() / 1000;
            out.println();
            out.printf(Locale.ROOT, "%d slices of %dx%d, %d lesions; from the last C-STORE response to SEG + SR stored at the destination:%n",
                    slices, size, size, rs.getInt(5));
            row("waiting for completion (release + grace)", completion);
            row("queue (claim by a worker)", queue);
            row("loading (headers, sort, geometry)", load);
            row("inference (pixels read in batches + ONNX Runtime)", inference);
            row("measurement", measure);
            row("writing SEG, SR, overlays and PNGs", writing);
            row("sending (commit to stored at the destination)", sending);
            row("total (wall clock)", totalSeconds);
            out.printf(Locale.ROOT, "%nratio total / inference: %.2f; total - inference: %.2f s (goal <= 5 s); completion after release: %.2f s (goal <= 3 s)%n",
                    totalSeconds / inference, totalSeconds - inference, completion);
        }
    }

    private void row(String what, double seconds) {
        out.printf(Locale.ROOT, "  %-52s %8.2f s%n", what, seconds);
    }
}
