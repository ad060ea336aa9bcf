package org.ctai.scp.demo;

import org.ctai.scp.send.DicomSender;
import org.ctai.scp.send.Outbox;

import org.ctai.scp.Node;
import org.ctai.scp.config.NodeConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.viewer.WebConfig;

/**
 * {@code ./ctai demo}: the node on its configuration (embedded defaults), a stand-in PACS on loopback that
 * receives the results, and a synthetic patient with three CT studies months apart whose tumour shrinks,
 * sent to the node by DICOM. Prints progress and each study's measurements, then keeps running.
 */
public final class DemoCommand {
    static final String DEMO_CALLER = "CTAIDEMO";
    static final String DEMO_PACS = "DEMOPACS";
    static final String DEMO_USER = "demo";
    static final String DEMO_PATIENT_ID = "CTAI-DEMO-001";
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private final NodeConfig base;
    private final PrintStream out;

    public DemoCommand(NodeConfig base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    public int run(boolean exitWhenDone, int studies, int slices) throws Exception {
        Path data = base.data().dir();
        try (LocalPacs pacs = new LocalPacs(DEMO_PACS, data.resolve("demo-pacs"),
                f -> out.println("  PACS received " + f.getFileName()))) {
            String password = OneTimeLogin.password();
            NodeConfig config = withDemoPeers(base, pacs.port(), OneTimeLogin.user(DEMO_USER, password));
            out.printf("starting the node (DICOM %s@%s:%d, data in %s)...%n", config.dicom().aeTitle(), config.dicom().bind(),
                    config.dicom().port(), data);
            Node node = Node.start(config);
            // the JVM halts once its shutdown hooks return: Ctrl-C's hook waits for the close below
            CountDownLatch closed = new CountDownLatch(1);
            try {
                out.printf("web page: %s://%s:%d/  (user %s, password %s)%n", config.web().scheme(), webHost(config), node.webPort(), DEMO_USER, password);
                List<String> series = new ArrayList<>();
                DicomSender sender = new DicomSender(DEMO_CALLER, Duration.ofSeconds(10), Duration.ofSeconds(60));
                for (int i = 0; i < studies; i++) {
                    PhantomSpec spec = study(i, slices);
                    PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(spec), data.resolve("demo-input").resolve("study-" + (i + 1)));
                    out.printf("study %d (%s): sending %d CT images to the node...%n", i + 1, spec.studyDate(), files.images().size());
                    List<Outbox.Item> items = files.images().stream().map(f -> new Outbox.Item(
                            com.pixelmed.dicom.SOPClass.CTImageStorage, "", f)).toList();
                    sender.send(new NodeConfig.AeDestination(config.dicom().aeTitle(), "127.0.0.1", node.dicomPort()), items);
                    series.add(seriesUid(files));
                }
                waitForResults(node.dataSource(), series);
                printHistory(node.dataSource(), series);
                out.printf("results (SEG, SR, overlays) received by the stand-in PACS: %d objects in %s%n", pacs.received(), data.resolve("demo-pacs"));
                out.printf("web page: %s://%s:%d/  (user %s, password %s): worklist, the patient's history and charts, the contours%n",
                        config.web().scheme(), webHost(config), node.webPort(), DEMO_USER, password);
                if (exitWhenDone) return 0;
                out.println("the node keeps running; Ctrl-C to stop");
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stop.countDown();
                    try {
                        closed.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "demo-shutdown"));
                stop.await();
                return 0;
            } finally {
                node.close();
                closed.countDown();
            }
        }
    }

    private static String seriesUid(PhantomFiles files) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.SeriesInstanceUID);
    }

    /** The demo patient's study {@code i} (0, 1, 2...): three months apart, the tumour 20% smaller in scale each time. */
    static PhantomSpec study(int i, int slices) {
        return PhantomSpec.of(2024).withSlices(slices).withTumours(1).withTumourScale(1.0 - 0.2 * i)
                .withStudyDate(LocalDate.of(2024, 1, 15).plusMonths(3L * i))
                .withPatient("Demo^Patient", DEMO_PATIENT_ID)
                .withDescriptions("CT abdomen, follow-up " + i, "Axial 2.5 mm");
    }

    private static String webHost(NodeConfig c) {
        String bind = c.web().server().bind();
        return bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    }

    /** The node as configured, plus the demo's own caller, the stand-in PACS as a destination and the demo's web user. */
    static NodeConfig withDemoPeers(NodeConfig c, int pacsPort, WebConfig.User demoUser) {
        Set<String> callers = new LinkedHashSet<>(c.dicom().allowedCallers());
        callers.add(DEMO_CALLER);
        var d = c.dicom();
        var dicom = new NodeConfig.Dicom(d.aeTitle(), d.bind(), d.port(), callers, d.anyCaller(), d.allowedAddresses(), d.maxAssociations(),
                d.requestTimeout(), d.idleTimeout(), d.sopClasses(), d.transferSyntaxes(), d.deniedSopClasses(), d.tls(),
                d.maxConnectionsPerAddress(), d.maxPendingRequests());
        List<NodeConfig.Destination> destinations = new ArrayList<>(c.send().destinations());
        destinations.add(new NodeConfig.AeDestination(DEMO_PACS, "127.0.0.1", pacsPort));
        var s = c.send();
        var send = new NodeConfig.Send(destinations, s.returnToSender(), s.callingAeTitle(), s.connectTimeout(), s.timeout(), s.maxAttempts(),
                s.backoff(), s.backoffFactor(), s.backoffMax(), s.count(), s.lease());
        var w = c.web().server();
        List<WebConfig.User> users = new ArrayList<>(w.users().stream().filter(u -> !u.name().equals(demoUser.name())).toList());
        users.add(demoUser);
        var web = new NodeConfig.Web(new WebConfig(w.bind(), w.port(), users, w.auth(), w.secureCookie(), w.dataDir(), w.publicPaths(),
                w.sessionTimeout()), c.web().stowMaxBytes(), c.web().tls());
        return new NodeConfig(dicom, c.data(), c.db(), c.series(), c.worker(), c.inference(), send, c.retention(), web, c.pipelines(), c.priors());
    }

    private void waitForResults(DataSource db, List<String> series) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            List<String> states = states(db, series);
            String now = String.join(", ", states);
            if (!now.equals(last)) {
                out.println("  jobs: " + now);
                last = now;
            }
            if (states.size() == series.size() && states.stream().allMatch(s -> s.equals("sent") || s.startsWith("failed") || s.equals("dead"))) return;
            Thread.sleep(500);
        }
        throw new IllegalStateException("the demo's studies were not all processed within " + TIMEOUT.toMinutes() + " minutes");
    }

    /** Per series: its latest job's state, "sent" once every delivery went out. */
    private static List<String> states(DataSource db, List<String> series) throws SQLException {
        List<String> states = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT state, unsent_deliveries FROM scp.history WHERE series_uid = ? ORDER BY series_version DESC LIMIT 1""")) {
            for (String uid : series) {
                ps.setString(1, uid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) states.add("receiving");
                    else if (rs.getString(1).equals("done")) states.add(rs.getLong(2) == 0 ? "sent" : "sending");
                    else states.add(rs.getString(1));
                }
            }
        }
        return states;
    }

    private void printHistory(DataSource db, List<String> series) throws SQLException {
        out.println();
        out.println("Demo^Patient (CTAI-DEMO-001): tumour over time");
        out.printf("%-10s %8s %10s %16s %12s %8s %10s%n", "study", "lesions", "volume mL", "largest mm2", "diameter mm", "HU mean", "vs first");
        Double first = null;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT h.study_date, h.lesion_count, coalesce(sum(l.volume_mm3), 0), coalesce(max(l.largest_area_mm2), 0),
                       coalesce(max(l.longest_diameter_mm), 0), coalesce(avg(l.mean_hu), 0), h.state, h.last_error
                FROM scp.history h LEFT JOIN scp.lesion l ON l.job_id = h.job_id
                WHERE h.series_uid = ? AND NOT h.superseded
                GROUP BY h.job_id, h.study_date, h.lesion_count, h.state, h.last_error, h.series_version
                ORDER BY h.series_version DESC LIMIT 1""")) {
            for (String uid : series) {
                ps.setString(1, uid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) continue;
                    if (!rs.getString(7).equals("done")) {
                        out.printf("%-10s %s: %s%n", rs.getString(1), rs.getString(7), rs.getString(8));
                        continue;
                    }
                    double ml = rs.getDouble(3) / 1000;
                    if (first == null) first = ml;
                    out.printf(Locale.ROOT, "%-10s %8d %10.2f %16.1f %12.1f %8.1f %9.0f%%%n", rs.getString(1), rs.getInt(2), ml, rs.getDouble(4),
                            rs.getDouble(5), rs.getDouble(6), first > 0 ? 100 * (ml - first) / first : 0);
                }
            }
        }
        out.println();
    }
}
