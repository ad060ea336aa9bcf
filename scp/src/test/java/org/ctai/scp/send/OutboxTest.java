package org.ctai.scp.send;

import org.ctai.scp.Dcmtk;
import org.ctai.scp.NodeProcess;
import org.ctai.scp.StoreScp;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;

import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Node;
import org.ctai.scp.queue.SeriesProcessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results leave through the outbox to a real C-STORE SCP (DCMTK storescp), with retries and a dead state. */
class OutboxTest {
    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    /** Writes one derived object per job (the first CT instance under new UIDs), as a result writer would. */
    private static final class OneResultPerJob implements SeriesProcessor {
        @Override
        public Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException {
            try {
                AttributeList list = new AttributeList();
                list.read(job.files().get(0).toFile());
                String sop = CtSeriesWriter.newUid();
                list.replaceWithValueIfPresent(TagFromName.SOPInstanceUID, sop);
                list.replaceWithValueIfPresent(TagFromName.SeriesInstanceUID, CtSeriesWriter.newUid());
                // a fresh meta header: the one read carries a group length that no longer fits the new UID
                list.removeMetaInformationHeaderAttributes();
                FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAITEST");
                Path out = resultsDir.resolve(sop + ".dcm");
                list.write(out.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
                String sopClass = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID);
                return new Processed("{\"kind\":\"test\"}", List.of(new ResultFile("overlay", sopClass, sop, out)));
            } catch (Exception e) {
                throw new ProcessingException(e.toString(), true, e);
            }
        }
    }

    private Node start(int pacsPort, String... more) {
        List<String> o = new java.util.ArrayList<>(List.of("--send.destinations=PACS@127.0.0.1:" + pacsPort, "--send.backoff-seconds=0.3",
                "--send.backoff-max-seconds=1", "--send.connect-timeout-seconds=1"));
        o.addAll(List.of(more));
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), o.toArray(String[]::new)), new OneResultPerJob());
        return node;
    }

    private void sendSeries() {
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();
    }

    private List<String> outboxStates() {
        return TestNodes.strings(node.dataSource(), "SELECT state FROM scp.outbox");
    }

    /** Waits until the outbox holds exactly these states; a timeout says where the series, job and deliveries stood. */
    private void awaitOutbox(String... states) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outboxStates()).as(whereThingsStand()).containsExactly(states));
    }

    private String whereThingsStand() {
        var ds = node.dataSource();
        return "series " + TestNodes.strings(ds, "SELECT s.state || ' v' || s.version || ' ' || (SELECT count(*) FROM scp.instance i WHERE i.series_id = s.id) || ' instances' FROM scp.series s")
                + ", jobs " + TestNodes.strings(ds, "SELECT state || ' ' || coalesce(last_error, '') FROM scp.job")
                + ", outbox " + TestNodes.strings(ds,
                        "SELECT destination || ' ' || state || ' attempts=' || attempts || ' ' || coalesce(last_error, '') FROM scp.outbox");
    }

    @Test
    void resultsOfAJobAreStoredAtTheDestination() throws Exception {
        int port = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", port, tmp.resolve("pacs"))) {
            start(port);
            sendSeries();
            awaitOutbox("sent");
            assertThat(pacs.received()).hasSize(1);
            String sop = TestNodes.strings(node.dataSource(), "SELECT sop_instance_uid FROM scp.result_object").get(0);
            AttributeList got = new AttributeList();
            got.read(pacs.received().get(0).toFile());
            assertThat(Attribute.getSingleStringValueOrEmptyString(got, TagFromName.SOPInstanceUID)).isEqualTo(sop);
        }
    }

    @Test
    void destinationThatAcceptsOnlyImplicitVrLittleEndianGetsTheResultsInIt() throws Exception {
        int port = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", port, tmp.resolve("pacs"), List.of("+xi"))) {
            start(port);
            sendSeries();
            awaitOutbox("sent");
            assertThat(pacs.received()).hasSize(1);
            AttributeList got = new AttributeList();
            got.read(pacs.received().get(0).toFile());
            assertThat(Attribute.getSingleStringValueOrEmptyString(got, TagFromName.TransferSyntaxUID)).isEqualTo(TransferSyntax.ImplicitVRLittleEndian);
            assertThat(Attribute.getSingleStringValueOrEmptyString(got, TagFromName.SOPInstanceUID))
                    .isEqualTo(TestNodes.strings(node.dataSource(), "SELECT sop_instance_uid FROM scp.result_object").get(0));
        }
    }

    @Test
    void destinationDownIsRetriedAndTheResultsArriveOnceWhenItComesBack() throws Exception {
        int port = NodeProcess.freePort();
        start(port);
        sendSeries();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.outbox") >= 2);
        assertThat(outboxStates()).as("no delivery before the destination is up").containsAnyOf("pending", "sending").doesNotContain("sent", "dead");
        assertThat(TestNodes.strings(node.dataSource(), "SELECT last_error FROM scp.outbox").get(0)).contains("Connection refused");

        try (StoreScp pacs = StoreScp.start("PACS", port, tmp.resolve("pacs"))) {
            awaitOutbox("sent");
            Thread.sleep(1500); // time for any duplicate delivery to show up
            assertThat(pacs.received()).hasSize(1);
        }
    }

    @Test
    void deliveryIsDeadAfterItsLastAttemptAndResendRevivesIt() throws Exception {
        int port = NodeProcess.freePort();
        start(port, "--send.max-attempts=2");
        sendSeries();
        awaitOutbox("dead");
        long job = TestNodes.count(node.dataSource(), "SELECT job_id FROM scp.outbox");

        try (StoreScp pacs = StoreScp.start("PACS", port, tmp.resolve("pacs"))) {
            assertThat(Outbox.resend(node.dataSource(), job, "test")).isOne();
            awaitOutbox("sent");
            assertThat(pacs.received()).hasSize(1);
        }
        assertThat(TestNodes.strings(node.dataSource(), "SELECT to_state FROM scp.outbox_event ORDER BY id"))
                .containsSubsequence("pending", "sending", "pending", "sending", "dead", "pending", "sending", "sent");
    }

    @Test
    void returnToSenderSendsOnlyToTheCallingAe() throws Exception {
        int pacsPort = NodeProcess.freePort();
        int callerPort = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", pacsPort, tmp.resolve("pacs"));
             StoreScp caller = StoreScp.start(TestNodes.CALLER, callerPort, tmp.resolve("caller"))) {
            start(pacsPort, "--send.destinations=PACS@127.0.0.1:" + pacsPort + "," + TestNodes.CALLER + "@127.0.0.1:" + callerPort,
                    "--send.return-to-sender=true");
            sendSeries();
            awaitOutbox("sent");
            assertThat(caller.received()).hasSize(1);
            assertThat(pacs.received()).isEmpty();
        }
    }
}
