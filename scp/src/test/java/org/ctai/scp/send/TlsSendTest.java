package org.ctai.scp.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.Node;
import org.ctai.scp.NodeProcess;
import org.ctai.scp.StoreScp;
import org.ctai.scp.TestCertificates;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;
import org.ctai.scp.queue.SeriesProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results leave over DICOM TLS to DCMTK's storescp +tls (OpenSSL, requiring our client certificate): they arrive; with
 * the wrong trusted bundle every attempt fails naming the PACS's certificate, and after the configuration is fixed and
 * the node restarted the same deliveries arrive, none lost and none twice.
 */
class TlsSendTest {
    @TempDir
    static Path certDir;
    static TestCertificates certs;

    @TempDir
    Path tmp;

    private Node node;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(certDir.resolve("pki"));
    }

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    /** Two derived objects per job (the first two CT instances under new UIDs), as a result writer would write them. */
    private static final class TwoResultsPerJob implements SeriesProcessor {
        @Override
        public Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException {
            try {
                List<ResultFile> files = new ArrayList<>();
                String series = CtSeriesWriter.newUid();
                for (Path source : job.files().subList(0, 2)) {
                    AttributeList list = new AttributeList();
                    list.read(source.toFile());
                    String sop = CtSeriesWriter.newUid();
                    list.replaceWithValueIfPresent(TagFromName.SOPInstanceUID, sop);
                    list.replaceWithValueIfPresent(TagFromName.SeriesInstanceUID, series);
                    list.removeMetaInformationHeaderAttributes();
                    FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAITEST");
                    Path out = resultsDir.resolve(sop + ".dcm");
                    list.write(out.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
                    files.add(new ResultFile("overlay", Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID), sop, out));
                }
                return new Processed("{\"kind\":\"test\"}", files);
            } catch (Exception e) {
                throw new ProcessingException(e.toString(), true, e);
            }
        }
    }

    private static StoreScp tlsPacs(int port, Path dir) throws Exception {
        // storescp requires and verifies a client certificate by default (-rc)
        return StoreScp.start("PACS", port, dir, "+tls", certs.pacs().key().toString(), certs.pacs().cert().toString(),
                "+cf", certs.caCert().toString());
    }

    private Node start(String dbUrl, int pacsPort, Path trusted) {
        node = Node.start(TestNodes.config(tmp.resolve("data"), dbUrl,
                "--send.destinations=PACS@127.0.0.1:" + pacsPort + ";tls;trusted=" + trusted,
                "--send.tls-cert=" + certs.node().cert(), "--send.tls-key=" + certs.node().key(),
                "--send.backoff-seconds=0.3", "--send.backoff-max-seconds=1", "--send.connect-timeout-seconds=2", "--send.max-attempts=100"),
                new TwoResultsPerJob());
        return node;
    }

    private void sendSeries() {
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();
    }

    private String outbox() {
        return String.join("; ", TestNodes.strings(node.dataSource(),
                "SELECT state || ' attempts=' || attempts || ' ' || coalesce(last_error, '') FROM scp.outbox"));
    }

    @Test
    void resultsArriveOverTlsAtAPacsThatRequiresOurCertificate() throws Exception {
        int port = NodeProcess.freePort();
        try (StoreScp pacs = tlsPacs(port, tmp.resolve("pacs"))) {
            start(TestDatabase.freshDatabase(), port, certs.caCert());
            sendSeries();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outbox()).startsWith("sent attempts=1"));
            assertThat(pacs.received()).hasSize(2);
            List<String> sent = TestNodes.strings(node.dataSource(), "SELECT sop_instance_uid FROM scp.result_object ORDER BY id");
            List<String> arrived = new ArrayList<>();
            for (Path f : pacs.received()) {
                AttributeList got = new AttributeList();
                got.read(f.toFile());
                arrived.add(Attribute.getSingleStringValueOrEmptyString(got, TagFromName.SOPInstanceUID));
            }
            assertThat(arrived).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void wrongTrustedCertificateFailsNamingItThenAfterTheFixAndARestartEverythingArrivesOnce() throws Exception {
        int port = NodeProcess.freePort();
        String db = TestDatabase.freshDatabase();
        try (StoreScp pacs = tlsPacs(port, tmp.resolve("pacs"))) {
            start(db, port, certs.otherCaCert());
            sendSeries();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.outbox") >= 2);
            assertThat(outbox()).startsWith("pending").contains("server certificate 'CN=test-pacs' (issued by 'CN=CTAI Test CA'")
                    .contains("is not trusted: no certificate in " + certs.otherCaCert() + " signs it");
            assertThat(pacs.received()).isEmpty();
            node.close();
            node = null;

            start(db, port, certs.caCert());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outbox()).startsWith("sent"));
            Thread.sleep(1000); // time for a duplicate delivery to show up
            assertThat(pacs.received()).hasSize(2);
            assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox")).isEqualTo(1);
        }
    }

    @Test
    void pacsThatRefusesOurCertificateFailsTheAttemptSayingSo() throws Exception {
        int port = NodeProcess.freePort();
        // this storescp trusts only the other CA, so our client certificate is refused during the handshake
        try (StoreScp pacs = StoreScp.start("PACS", port, tmp.resolve("pacs"), "+tls", certs.pacs().key().toString(),
                certs.pacs().cert().toString(), "+cf", certs.otherCaCert().toString())) {
            start(TestDatabase.freshDatabase(), port, certs.caCert());
            sendSeries();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.outbox") >= 1
                    && !outbox().startsWith("sending"));
            assertThat(outbox()).startsWith("pending").contains("TLS connection to PACS@127.0.0.1:" + port + " failed")
                    .contains("our certificate");
            assertThat(pacs.received()).isEmpty();
        }
    }
}
