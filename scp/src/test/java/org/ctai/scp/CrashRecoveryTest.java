package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node killed with SIGKILL loses nothing it acknowledged and processes each series version once. */
class CrashRecoveryTest {
    @TempDir
    Path tmp;

    private static long count(String url, String sql, Object... args) {
        return TestNodes.count(TestNodes.database(url), sql, args);
    }

    private static List<String> strings(String url, String sql) {
        return TestNodes.strings(TestNodes.database(url), sql);
    }

    private List<String> options(Path data, String... more) {
        List<String> o = new ArrayList<>(List.of("--data.dir=" + data, "--data.min-free-mb=1",
                "--dicom.allowed-callers=PIXELMED,STORESCU", "--series.quiet-seconds=2", "--series.release-grace-seconds=1",
                "--worker.poll-seconds=0.1", "--worker.lease-seconds=3"));
        o.addAll(List.of(more));
        return o;
    }

    @Test
    void everyAcknowledgedInstanceSurvivesAKillWhileReceivingWithTheEmbeddedDatabase() throws Exception {
        Path data = tmp.resolve("data");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 100, 128);
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), options(data))) {
            try (HeldAssociation a = HeldAssociation.open(node.dicomPort)) {
                for (Path f : s.files()) {
                    acknowledged.addAll(a.send(List.of(f)));
                    // mid-series, on an open association, with the next C-STORE about to go
                    if (acknowledged.size() == 40) node.kill();
                }
            } catch (Exception expected) {
                // the node died under the sender
            }
        }
        assertThat(acknowledged).hasSize(40);

        // one restart is enough, whether the killed node's PostgreSQL has stopped by itself yet or not
        try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), options(data))) {
            String url = restarted.embeddedJdbcUrl();
            for (String sop : acknowledged) {
                assertThat(count(url, "SELECT count(*) FROM scp.instance WHERE sop_instance_uid = ?", sop)).as(sop).isOne();
            }
            for (String path : strings(url, "SELECT path FROM scp.instance")) assertThat(data.resolve(path)).isRegularFile();
            await().atMost(Duration.ofSeconds(30)).until(() -> count(url, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
            assertThat(count(url, "SELECT count(*) FROM scp.job")).isOne();
        }
    }

    @Test
    void withFsyncOffAcknowledgedInstancesNotYetIndexedAtAKillAreIndexedAtRestart() throws Exception {
        Path data = tmp.resolve("data");
        String url = TestDatabase.freshDatabase();
        String u = url + "&user=postgres";
        List<String> opts = options(data, "--db.url=" + url, "--db.user=postgres", "--data.fsync=false");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 30, 128);
        List<String> acknowledged = new ArrayList<>();
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), opts);
             var lock = TestNodes.database(u).getConnection(); var st = lock.createStatement()) {
            lock.setAutoCommit(false);
            // the node answers, but cannot write a single row before it dies
            st.execute("LOCK TABLE scp.instance IN EXCLUSIVE MODE");
            try (HeldAssociation a = HeldAssociation.open(node.dicomPort)) {
                acknowledged.addAll(a.send(s.files()));
            }
            node.kill();
            lock.rollback();
        }
        assertThat(acknowledged).hasSize(30);

        try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), opts)) {
            assertThat(restarted.logText()).contains("acknowledged instances left by the previous run");
            for (String sop : acknowledged) {
                assertThat(count(u, "SELECT count(*) FROM scp.instance WHERE sop_instance_uid = ?", sop)).as(sop).isOne();
            }
            for (String path : strings(u, "SELECT path FROM scp.instance")) assertThat(data.resolve(path)).isRegularFile();
            await().atMost(Duration.ofSeconds(30)).until(() -> count(u, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
            assertThat(count(u, "SELECT count(*) FROM scp.job")).isOne();
            assertThat(strings(u, "SELECT result->>'slices' FROM scp.job")).containsExactly("30");
        }
    }

    @Test
    void aJobCutOffByAKillIsTakenOverAfterRestartAndCompletedOnce() throws Exception {
        Path data = tmp.resolve("data");
        String url = TestDatabase.freshDatabase();
        List<String> opts = options(data, "--db.url=" + url, "--db.user=postgres");
        // long enough on the CPU model (about 7 slices/s here) to be killed while it runs
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 60, 512);
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), opts)) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort, s.files()).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> count(url + "&user=postgres", "SELECT count(*) FROM scp.job WHERE state = 'running'") == 1);
            node.kill();
        }
        String u = url + "&user=postgres";
        assertThat(count(u, "SELECT count(*) FROM scp.job WHERE state = 'running'")).as("killed mid-job").isOne();

        try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), opts)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> count(u, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        }
        assertThat(count(u, "SELECT count(*) FROM scp.job")).isOne();
        assertThat(count(u, "SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isOne();
        assertThat(strings(u, "SELECT reason FROM scp.job_event WHERE to_state = 'running' ORDER BY id"))
                .hasSize(2).last().asString().contains("ran out; taken over");
        assertThat(strings(u, "SELECT result->>'slices' FROM scp.job")).containsExactly("60");
    }

    @Test
    void twoNodesOnOneDatabaseNeverProcessAJobTwice() throws Exception {
        Path data = tmp.resolve("shared-data");
        String url = TestDatabase.freshDatabase();
        String u = url + "&user=postgres";
        List<String> opts = options(data, "--db.url=" + url, "--db.user=postgres", "--worker.count=2", "--worker.lease-seconds=30");
        List<CtSeriesWriter.Series> series = new ArrayList<>();
        for (int i = 0; i < 8; i++) series.add(CtSeriesWriter.write(tmp.resolve("in" + i), 15, 64));
        try (NodeProcess a = NodeProcess.start(tmp.resolve("a.log"), opts);
             NodeProcess b = NodeProcess.start(tmp.resolve("b.log"), opts)) {
            List<Process> senders = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                int port = i % 2 == 0 ? a.dicomPort : b.dicomPort;
                senders.add(Dcmtk.startStorescu(TestNodes.CALLER, port, series.get(i).files()));
            }
            for (Process p : senders) assertThat(p.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(u, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 8);
        }
        assertThat(count(u, "SELECT count(*) FROM scp.job")).isEqualTo(8);
        assertThat(count(u, "SELECT count(*) FROM scp.job_event WHERE to_state = 'running'")).as("one claim per job").isEqualTo(8);
        assertThat(count(u, "SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isEqualTo(8);
        assertThat(count(u, "SELECT count(DISTINCT split_part(owner, ':', 2)) FROM scp.job_event WHERE owner IS NOT NULL"))
                .as("both processes took work").isEqualTo(2);
    }
}
