package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node killed with SIGKILL while inferring and while sending: the PACS still ends up with one SEG and one SR. */
class OrthancCrashTest {
    @TempDir
    Path tmp;

    private OrthancPacs pacs;
    private String url;
    private int nodePort;
    private List<String> options;

    @BeforeEach
    void configure() throws Exception {
        nodePort = NodeProcess.freePort();
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", nodePort);
        url = TestDatabase.freshDatabase();
        options = List.of("--data.dir=" + tmp.resolve("data"), "--data.min-free-mb=1", "--db.url=" + url, "--db.user=postgres",
                "--dicom.allowed-callers=" + OrthancPacs.AE + "," + TestNodes.CALLER, "--series.quiet-seconds=2",
                "--series.release-grace-seconds=1", "--worker.poll-seconds=0.1", "--worker.lease-seconds=3", "--send.lease-seconds=3",
                "--send.destinations=" + OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort, "--send.backoff-seconds=0.5",
                "--send.backoff-max-seconds=1", "--send.connect-timeout-seconds=1");
    }

    @AfterEach
    void stop() throws Exception {
        pacs.close();
    }

    private long count(String sql) {
        return TestNodes.count(TestNodes.database(url + "&user=postgres"), sql);
    }

    private PhantomFiles phantom(long seed, int slices, int size) throws Exception {
        return PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(seed).withSlices(slices).withSize(size).withTumours(1)),
                tmp.resolve("phantom"));
    }

    private static String studyUid(PhantomFiles files) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
    }

    private void assertOneSegAndOneSr(String study) throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> pacs.instances(study, "SR").size() >= 1 && pacs.instances(study, "SEG").size() >= 1);
        Thread.sleep(3000); // a second delivery would show up by now
        assertThat(pacs.instances(study, "SEG")).hasSize(1);
        assertThat(pacs.instances(study, "SR")).hasSize(1);
    }

    @Test
    void killedWhileInferringTheSeriesIsProcessedOnceAfterRestart() throws Exception {
        pacs.start();
        // long enough on the CPU model (about 7 slices/s at 512) to be killed while it runs
        PhantomFiles files = phantom(9801, 48, 512);
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), nodePort, options)) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, nodePort, files.images()).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'running'") == 1);
            node.kill();
        }
        assertThat(count("SELECT count(*) FROM scp.result_object")).as("nothing was written before the kill").isZero();

        try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), nodePort, options)) {
            assertOneSegAndOneSr(studyUid(files));
        }
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isOne();
    }

    @Test
    void killedWhileSendingTheResultsArriveOnceAfterRestart() throws Exception {
        PhantomFiles files = phantom(9802, 10, 256);
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), nodePort, options)) {
            // the PACS is down: the delivery is in its send-and-retry cycle when the node dies
            assertThat(Dcmtk.storescu(TestNodes.CALLER, nodePort, files.images()).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> count("SELECT coalesce(max(attempts), 0) FROM scp.outbox") >= 2);
            node.kill();
        }
        pacs.start();
        try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), nodePort, options)) {
            assertOneSegAndOneSr(studyUid(files));
            await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM scp.outbox WHERE state = 'sent'") == 1);
        }
        assertThat(count("SELECT count(*) FROM scp.job")).isOne();
    }
}
