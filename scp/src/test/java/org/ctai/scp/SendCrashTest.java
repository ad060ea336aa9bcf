package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node killed with SIGKILL in the middle of the association that carries a job's results to a slow PACS
 * (DCMTK storescp answering each object after a second): after the restart the PACS holds each result exactly
 * once, under the UIDs the job recorded, and no result of a second run.
 */
class SendCrashTest {
    @TempDir
    Path tmp;

    @Test
    void killedInTheMiddleOfTheResultAssociationEachResultIsAtThePacsOnceAfterRestart() throws Exception {
        String url = TestDatabase.freshDatabase();
        String u = url + "&user=postgres";
        int pacsPort = NodeProcess.freePort();
        List<String> options = List.of("--data.dir=" + tmp.resolve("data"), "--data.min-free-mb=1", "--db.url=" + url, "--db.user=postgres",
                "--dicom.allowed-callers=" + TestNodes.CALLER, "--series.quiet-seconds=2", "--series.release-grace-seconds=1",
                "--worker.poll-seconds=0.1", "--worker.lease-seconds=3", "--send.lease-seconds=3",
                "--send.destinations=PACS@127.0.0.1:" + pacsPort, "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=1",
                "--send.connect-timeout-seconds=1");
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9803).withSlices(10).withSize(256).withTumours(1)),
                tmp.resolve("phantom"));

        try (StoreScp pacs = StoreScp.startSlow("PACS", pacsPort, tmp.resolve("pacs"), Duration.ofSeconds(1))) {
            int objects;
            try (NodeProcess node = NodeProcess.start(tmp.resolve("node1.log"), options)) {
                assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort, files.images()).exitCode()).isZero();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> !pacs.receptions().isEmpty());
                node.kill();
                objects = (int) TestNodes.count(TestNodes.database(u), "SELECT count(*) FROM scp.result_object");
                assertThat(objects).as("SEG, SR and overlays").isGreaterThanOrEqualTo(3);
                assertThat(pacs.receptions().size()).as("killed in the middle of the association").isBetween(1, objects - 1);
                assertThat(TestNodes.strings(TestNodes.database(u), "SELECT state FROM scp.outbox")).containsExactly("sending");
            }

            try (NodeProcess restarted = NodeProcess.start(tmp.resolve("node2.log"), options)) {
                await().atMost(Duration.ofSeconds(90)).until(() ->
                        TestNodes.strings(TestNodes.database(u), "SELECT state FROM scp.outbox").equals(List.of("sent")));
            }

            List<String> atThePacs = new ArrayList<>();
            for (Path f : pacs.received()) {
                AttributeList l = new AttributeList();
                l.read(f.toFile(), TagFromName.PixelData);
                atThePacs.add(Attribute.getSingleStringValueOrEmptyString(l, TagFromName.SOPInstanceUID));
            }
            assertThat(atThePacs).as("one copy of each result the job recorded, nothing else")
                    .containsExactlyInAnyOrderElementsOf(TestNodes.strings(TestNodes.database(u), "SELECT sop_instance_uid FROM scp.result_object"));
            assertThat(TestNodes.count(TestNodes.database(u), "SELECT count(*) FROM scp.job")).isOne();
            assertThat(TestNodes.count(TestNodes.database(u), "SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isOne();
            System.out.println("results " + objects + ", receptions at the PACS " + pacs.receptions().size()
                    + " (the ones before the kill are received again by the resent association)");
        }
    }
}
