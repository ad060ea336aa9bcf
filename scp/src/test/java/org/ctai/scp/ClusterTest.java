package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes as separate hosts (each in its own network namespace, with its own address) on one real PostgreSQL server
 * (Debian's, not the embedded one) and one shared data.dir, delivering to DCMTK's storescp on another host. Every
 * series sent to any of three nodes becomes one job, processed once, and its results are at the destination once; a
 * node killed with SIGKILL while it infers has its job taken over by the other after the lease, still once; a node
 * killed while it sends has its delivery taken over, and the destination then holds every result (the objects the
 * killed node had sent arrive a second time, under the same SOP Instance UIDs: delivery is at least once); the
 * database stopped for 30 s under load leaves the nodes up, refusing associations (transient) meanwhile, and nothing
 * acknowledged is lost. Skipped, with the reason, where namespaces or the PostgreSQL server cannot be had.
 */
@Timeout(420)
class ClusterTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private NetworkNamespaces net;
    private PostgresServer pg;
    private DataSource db;
    private String pacsAddress;
    private int pacsPort;
    private Path pacsDir;

    @BeforeEach
    void hostsAndDatabase() throws Exception {
        NetworkNamespaces.unavailableBecause().ifPresent(reason -> Assumptions.abort(reason));
        PostgresServer.unavailableBecause().ifPresent(reason -> Assumptions.abort(reason));
        net = new NetworkNamespaces();
        cleanup.add(net);
        pg = new PostgresServer(net.hostAddress(), net.hostAddress().replaceAll("\\.1$", ".0") + "/24");
        cleanup.add(0, pg);
        db = TestNodes.database(pg.testUrl());
    }

    /**
     * DCMTK's storescp as the PACS, on a host of its own; with a {@code perObject} delay each object is answered only
     * after it (a slow PACS), and every reception is appended to {@link #receptions()}.
     */
    private void pacs(Duration perObject) throws Exception {
        String pacsHost = net.addHost();
        pacsAddress = net.address(pacsHost);
        pacsPort = NodeProcess.freePort();
        pacsDir = tmp.resolve("pacs");
        Files.createDirectories(pacsDir);
        List<String> cmd = new ArrayList<>(NetworkNamespaces.in(pacsHost));
        // unique file names: a second copy of an object is a second file, never an overwrite
        cmd.addAll(List.of("storescp", "-aet", "PACS", "+uf", "-od", pacsDir.toString()));
        if (!perObject.isZero()) {
            // storescp runs the command before it sends the C-STORE response (--exec-sync waits for it)
            cmd.addAll(List.of("--exec-on-reception", "sh -c 'echo #f >> " + tmp.resolve("pacs.receptions") + "; sleep "
                    + String.format(java.util.Locale.ROOT, "%.3f", perObject.toMillis() / 1000.0) + "'", "--exec-sync"));
        }
        cmd.add(Integer.toString(pacsPort));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("pacs.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process pacs = pb.start();
        cleanup.add(0, () -> {
            pacs.destroy();
            if (!pacs.waitFor(10, TimeUnit.SECONDS)) pacs.destroyForcibly();
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(pacsAddress, pacsPort), 500);
                return true;
            }
        });
    }

    /** The objects the slow PACS has received so far, one line per reception. */
    private List<String> receptions() throws IOException {
        Path log = tmp.resolve("pacs.receptions");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @AfterEach
    void stopEverything() {
        // nodes first (they were added at the front), then the PACS, the database, the namespaces last
        for (AutoCloseable c : cleanup) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("ClusterTest cleanup: " + e);
            }
        }
        cleanup.clear();
    }

    private NodeProcess node(String name) throws Exception {
        String host = net.addHost();
        String address = net.address(host);
        List<String> options = new ArrayList<>(TestNodes.ANY_CT_SERIES);
        options.addAll(List.of("--dicom.bind=" + address, "--web.bind=" + address, "--data.dir=" + tmp.resolve("shared-data"),
                "--data.min-free-mb=1", "--db.url=" + pg.jdbcUrl(), "--db.user=postgres",
                "--dicom.allowed-callers=" + TestNodes.CALLER, "--series.quiet-seconds=2", "--series.release-grace-seconds=1",
                "--worker.poll-seconds=0.1", "--worker.lease-seconds=" + LEASE.toSeconds(), "--send.lease-seconds=" + LEASE.toSeconds(),
                "--send.destinations=PACS@" + pacsAddress + ":" + pacsPort, "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=1",
                "--send.connect-timeout-seconds=2"));
        NodeProcess node = NodeProcess.start(tmp.resolve(name + ".log"), NodeProcess.freePort(), NetworkNamespaces.in(host), options);
        cleanup.add(0, node);
        addresses.put(node, address);
        return node;
    }

    private final java.util.Map<NodeProcess, String> addresses = new java.util.HashMap<>();

    /** A storescu run, its output in a file of its own. */
    private record Storescu(Process process, Path log) {
        /** Waits for the end (generously: the machine may be busy) and returns the exit code. */
        int exitCode() throws InterruptedException {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("storescu finished").isTrue();
            return process.exitValue();
        }

        String output() throws IOException {
            return Files.readString(log);
        }
    }

    private int sends;

    private Storescu send(NodeProcess node, CtSeriesWriter.Series series) throws IOException {
        return send(node, series.files());
    }

    private Storescu send(NodeProcess node, List<Path> files) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", TestNodes.CALLER, "-aec", "CTAI", addresses.get(node),
                Integer.toString(node.dicomPort)));
        files.forEach(f -> cmd.add(f.toString()));
        Path log = tmp.resolve("storescu-" + ++sends + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        return new Storescu(pb.start(), log);
    }

    /** The node's /healthz, as JSON (public by default). */
    private com.fasterxml.jackson.databind.JsonNode healthz(NodeProcess node) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(health(node).body());
    }

    /** The node's /healthz answer; a load balancer's health check waits a few seconds, so must this one. */
    private java.net.http.HttpResponse<String> health(NodeProcess node) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + addresses.get(node) + ":" + node.webPort() + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private long count(String sql) {
        return TestNodes.count(db, sql);
    }

    /** SOP Instance UIDs of every object the PACS received, one per reception. */
    private List<String> atThePacs() throws Exception {
        List<String> uids = new ArrayList<>();
        try (var files = Files.list(pacsDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                AttributeList l = new AttributeList();
                l.read(f.toFile(), TagFromName.PixelData);
                uids.add(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.SOPInstanceUID));
            }
        }
        return uids;
    }

    private void assertEachResultAtThePacsOnce() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT count(*) FROM scp.outbox WHERE state <> 'sent'") == 0);
        List<String> recorded = TestNodes.strings(db, "SELECT sop_instance_uid FROM scp.result_object");
        assertThat(recorded).as("SEG and SR per job at least").isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> atThePacs().size() >= recorded.size());
        assertThat(atThePacs()).as("one copy of each result recorded, nothing else").containsExactlyInAnyOrderElementsOf(recorded);
    }

    /**
     * Each result recorded is at the PACS and nothing else is; an object may have arrived more than once (a delivery
     * cut off after the PACS stored some of its objects is sent again whole), always under its one SOP Instance UID,
     * which a PACS stores as one object.
     *
     * @return how many receptions were second copies
     */
    private int assertEachResultAtThePacsAtLeastOnceAndNothingElse() throws Exception {
        await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM scp.outbox WHERE state <> 'sent'") == 0);
        List<String> recorded = TestNodes.strings(db, "SELECT sop_instance_uid FROM scp.result_object");
        assertThat(recorded).as("SEG and SR per job at least").isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> atThePacs().size() >= recorded.size());
        List<String> received = atThePacs();
        assertThat(received).as("only the results recorded").containsOnlyElementsOf(recorded);
        assertThat(received.stream().distinct().toList()).as("every result recorded").containsExactlyInAnyOrderElementsOf(recorded);
        return received.size() - recorded.size();
    }

    @Test
    void seriesSentToAnyOfThreeNodesAreEachProcessedOnceAndDeliveredOnce() throws Exception {
        pacs(Duration.ZERO);
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        NodeProcess c = node("c");
        List<NodeProcess> nodes = List.of(a, b, c);
        List<Storescu> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            senders.add(send(nodes.get(i % 3), CtSeriesWriter.write(tmp.resolve("in" + i), 10, 64)));
        }
        for (Storescu p : senders) {
            assertThat(p.exitCode()).as("storescu").isZero();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 6);

        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(60);
        assertThat(count("SELECT count(*) FROM scp.job")).as("one job per series").isEqualTo(6);
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'running'")).as("one claim per job").isEqualTo(6);
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isEqualTo(6);
        assertEachResultAtThePacsOnce();
        var health = healthz(a);
        assertThat(health.path("status").asText()).isEqualTo("up");
        List<String> listed = new ArrayList<>();
        health.path("nodes").forEach(n -> listed.add(n.path("dicomAddress").asText()));
        assertThat(listed).as("the nodes alive, as each node's health endpoint lists them")
                .containsExactlyInAnyOrder(addresses.get(a) + ":" + a.dicomPort, addresses.get(b) + ":" + b.dicomPort,
                        addresses.get(c) + ":" + c.dicomPort);
        System.out.println("jobs per node: " + TestNodes.strings(db,
                "SELECT 'pid ' || split_part(owner, ':', 2) || ': ' || count(*) FROM scp.job_event WHERE to_state = 'done' "
                        + "GROUP BY split_part(owner, ':', 2)"));
    }

    @Test
    void aNodeKilledWhileItInfersHasItsJobTakenOverByTheOtherAndResultsArriveOnce() throws Exception {
        pacs(Duration.ZERO);
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        // long enough on the CPU model (several slices a second here) to be killed while it runs
        assertThat(send(a, CtSeriesWriter.write(tmp.resolve("big"), 60, 512)).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'running' AND slices_done > 0") == 1);
        String owner = TestNodes.strings(db, "SELECT lease_owner FROM scp.job WHERE state = 'running'").get(0);
        NodeProcess victim = owner.split(":")[1].equals(Long.toString(a.pid())) ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        var doing = new ArrayList<String>();
        healthz(survivor).path("nodes").forEach(n -> doing.add(n.path("owner").asText() + " jobs " + n.path("runningJobs").size()));
        assertThat(doing).as("what each node does, seen from the other").contains(owner + " jobs 1").hasSize(2);
        victim.kill();

        await().atMost(Duration.ofSeconds(120)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(count("SELECT count(*) FROM scp.job")).isOne();
        assertThat(TestNodes.strings(db, "SELECT reason FROM scp.job_event WHERE to_state = 'running' ORDER BY id"))
                .hasSize(2).last().asString().contains("taken over");
        assertThat(TestNodes.strings(db, "SELECT split_part(owner, ':', 2) FROM scp.job_event WHERE to_state = 'done'"))
                .containsExactly(Long.toString(survivor.pid()));
        assertThat(TestNodes.strings(db, "SELECT result->>'slices' FROM scp.job")).containsExactly("60");
        assertEachResultAtThePacsOnce();
    }

    @Test
    void aNodeKilledWhileItSendsHasItsDeliveryTakenOverAndThePacsHoldsEveryResult() throws Exception {
        pacs(Duration.ofSeconds(2)); // slow: the sending node is caught in the middle of the association, with time to spare
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        // a phantom with a tumour: a SEG, an SR and overlays, so that the kill comes between two of them
        var phantom = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9803).withSlices(10).withSize(256).withTumours(1)),
                tmp.resolve("phantom"));
        assertThat(send(a, phantom.images()).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> !receptions().isEmpty());
        String owner = TestNodes.strings(db, "SELECT lease_owner FROM scp.outbox WHERE state = 'sending'").get(0);
        NodeProcess victim = owner.split(":")[1].equals(Long.toString(a.pid())) ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        victim.kill();
        int beforeTheKill = receptions().size();
        int objects = (int) count("SELECT count(*) FROM scp.result_object");
        assertThat(objects).as("SEG, SR and overlays").isGreaterThanOrEqualTo(3);
        assertThat(beforeTheKill).as("killed in the middle of the association").isBetween(1, objects - 1);

        int secondCopies = assertEachResultAtThePacsAtLeastOnceAndNothingElse();
        assertThat(TestNodes.strings(db, "SELECT reason FROM scp.outbox_event WHERE to_state = 'sending' ORDER BY id"))
                .hasSize(2).last().asString().contains("taken over");
        assertThat(TestNodes.strings(db, "SELECT split_part(owner, ':', 2) FROM scp.outbox_event WHERE to_state = 'sent'"))
                .containsExactly(Long.toString(survivor.pid()));
        // the survivor cannot know which objects the PACS stored before the kill (their responses died with the killed
        // node, the one in flight was stored but never answered): it sends the delivery again whole
        assertThat(secondCopies).as("second copies: the objects the PACS received before the kill").isEqualTo(beforeTheKill);
        assertThat(count("SELECT count(*) FROM scp.job")).isOne();
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isOne();
        System.out.println("results " + objects + ", received before the kill " + beforeTheKill + ", receptions in all " + receptions().size());
    }

    @Test
    void theDatabaseStoppedFor30SecondsUnderLoadLeavesTheNodesUpRefusingAndNothingAcknowledgedIsLost() throws Exception {
        Duration outage = Duration.ofSeconds(30);
        pacs(Duration.ZERO);
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        List<NodeProcess> nodes = List.of(a, b);
        // the load: series received, being completed, inferred and delivered when the database stops
        List<Storescu> before = new ArrayList<>();
        before.add(send(a, CtSeriesWriter.write(tmp.resolve("big"), 40, 256)));
        for (int i = 0; i < 4; i++) before.add(send(nodes.get(i % 2), CtSeriesWriter.write(tmp.resolve("before" + i), 10, 64)));
        for (Storescu s : before) assertThat(s.exitCode()).as("storescu before the outage").isZero();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'running'") >= 1);
        System.out.println("jobs when the database stops: " + TestNodes.strings(db, "SELECT state || ' ' || count(*) FROM scp.job GROUP BY state"));
        CtSeriesWriter.Series inFlight = CtSeriesWriter.write(tmp.resolve("in-flight"), 3, 64);
        List<CtSeriesWriter.Series> meanwhile;
        try (HeldAssociation open = HeldAssociation.open(addresses.get(b), b.dicomPort, TestNodes.CALLER)) {
            pg.stop();
            long stopped = System.nanoTime();

            for (NodeProcess n : nodes) {
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
                    var h = health(n);
                    assertThat(h.statusCode()).as("/healthz while the database is away").isEqualTo(503);
                    assertThat(h.body()).contains("\"status\":\"down\"").contains("\"up\":false");
                });
            }
            // an association opened before: its C-STOREs are refused (A700) at once, not after the pool's 30 s each
            long sending = System.nanoTime();
            assertThat(open.send(inFlight.files())).as("C-STOREs acknowledged while the database is away").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - sending)).as("3 C-STOREs answered").isLessThan(Duration.ofSeconds(10));
            meanwhile = refusedWhileAway(nodes, stopped, outage);
        }
        pg.start();

        for (NodeProcess n : nodes) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> health(n).statusCode() == 200);
        }
        // the PACS sends again what was refused
        for (int i = 0; i < meanwhile.size(); i++) assertThat(send(nodes.get(i), meanwhile.get(i)).exitCode()).as("storescu after").isZero();
        await().atMost(Duration.ofSeconds(180)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 7);
        assertThat(count("SELECT count(*) FROM scp.instance")).as("every instance acknowledged").isEqualTo(40 + 4 * 10 + 2 * 10);
        assertThat(count("SELECT count(*) FROM scp.job")).as("one job per series").isEqualTo(7);
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).as("each job done once").isEqualTo(7);
        int secondCopies = assertEachResultAtThePacsAtLeastOnceAndNothingElse();
        for (NodeProcess n : nodes) assertThat(n.alive()).isTrue();
        System.out.println("claims " + count("SELECT count(*) FROM scp.job_event WHERE to_state = 'running'") + " for 7 jobs, deliveries "
                + count("SELECT count(*) FROM scp.outbox_event WHERE to_state = 'sending'") + " attempts for "
                + count("SELECT count(*) FROM scp.outbox") + ", second copies at the PACS " + secondCopies);
    }

    /**
     * Sends a series to each node while the database is away (each refused, transient), then waits out the outage.
     *
     * @return the series refused, to be sent again
     */
    private List<CtSeriesWriter.Series> refusedWhileAway(List<NodeProcess> nodes, long stopped, Duration outage) throws Exception {
        List<CtSeriesWriter.Series> meanwhile = List.of(CtSeriesWriter.write(tmp.resolve("meanwhile0"), 10, 64), CtSeriesWriter.write(tmp.resolve("meanwhile1"), 10, 64));
        for (int i = 0; i < meanwhile.size(); i++) {
            Storescu refused = send(nodes.get(i), meanwhile.get(i));
            assertThat(refused.exitCode()).as("storescu during the outage").isNotZero();
            assertThat(refused.output()).as("refused for now, to be retried").contains("Association Rejected").contains("Rejected Transient");
        }
        Thread.sleep(Math.max(0, outage.toMillis() - (System.nanoTime() - stopped) / 1_000_000));
        for (NodeProcess n : nodes) assertThat(n.alive()).as("node up through the outage").isTrue();
        return meanwhile;
    }
}
