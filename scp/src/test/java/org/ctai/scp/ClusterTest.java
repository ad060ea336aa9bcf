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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes as separate hosts (each in its own network namespace, with its own address) on one real PostgreSQL
 * server (Debian's, not the embedded one) and one shared data.dir, delivering to DCMTK's storescp on a third host.
 * Every series sent to either node becomes one job, processed once, and its results are at the destination once;
 * a node killed with SIGKILL while it infers has its job taken over by the other after the lease, still once.
 * Skipped, with the reason, where namespaces or the PostgreSQL server cannot be had.
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
    void hostsDatabaseAndPacs() throws Exception {
        NetworkNamespaces.unavailableBecause().ifPresent(reason -> Assumptions.abort(reason));
        PostgresServer.unavailableBecause().ifPresent(reason -> Assumptions.abort(reason));
        net = new NetworkNamespaces();
        cleanup.add(net);
        pg = new PostgresServer(net.hostAddress(), net.hostAddress().replaceAll("\\.1$", ".0") + "/24");
        cleanup.add(0, pg);
        db = TestNodes.database(pg.testUrl());

        String pacsHost = net.addHost();
        pacsAddress = net.address(pacsHost);
        pacsPort = NodeProcess.freePort();
        pacsDir = tmp.resolve("pacs");
        Files.createDirectories(pacsDir);
        List<String> cmd = new ArrayList<>(NetworkNamespaces.in(pacsHost));
        // unique file names: a second copy of an object is a second file, never an overwrite
        cmd.addAll(List.of("storescp", "-aet", "PACS", "+uf", "-od", pacsDir.toString(), Integer.toString(pacsPort)));
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

    private Process send(NodeProcess node, CtSeriesWriter.Series series) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", TestNodes.CALLER, "-aec", "CTAI", addresses.get(node),
                Integer.toString(node.dicomPort)));
        series.files().forEach(f -> cmd.add(f.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        return pb.start();
    }

    /** The node's /healthz, as JSON (public by default). */
    private com.fasterxml.jackson.databind.JsonNode healthz(NodeProcess node) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + addresses.get(node) + ":" + node.webPort() + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
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

    @Test
    void seriesSentToEitherNodeAreEachProcessedOnceAndDeliveredOnce() throws Exception {
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        List<Process> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            senders.add(send(i % 2 == 0 ? a : b, CtSeriesWriter.write(tmp.resolve("in" + i), 10, 64)));
        }
        for (Process p : senders) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("storescu").isZero();
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
                .containsExactlyInAnyOrder(addresses.get(a) + ":" + a.dicomPort, addresses.get(b) + ":" + b.dicomPort);
        System.out.println("jobs per node: " + TestNodes.strings(db,
                "SELECT 'pid ' || split_part(owner, ':', 2) || ': ' || count(*) FROM scp.job_event WHERE to_state = 'done' "
                        + "GROUP BY split_part(owner, ':', 2)"));
    }

    @Test
    void aNodeKilledWhileItInfersHasItsJobTakenOverByTheOtherAndResultsArriveOnce() throws Exception {
        NodeProcess a = node("a");
        NodeProcess b = node("b");
        // long enough on the CPU model (several slices a second here) to be killed while it runs
        Process sender = send(a, CtSeriesWriter.write(tmp.resolve("big"), 60, 512));
        assertThat(sender.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(sender.exitValue()).isZero();
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
}
