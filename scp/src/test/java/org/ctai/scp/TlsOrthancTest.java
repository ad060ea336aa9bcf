package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;

/**
 * The whole round trip over DICOM TLS with a real PACS: Orthanc (DicomTlsEnabled, its port TLS-only) routes a phantom
 * series to the node's TLS port, the real model runs, and SEG and SR go back to Orthanc over TLS; every hop presents a
 * certificate of the test CA, and no hop is plain.
 */
class TlsOrthancTest extends NodeWithOrthancTest {

    @Test
    void seriesRoutedByOrthancOverTlsComesBackAsSegAndSrOverTls() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp.resolve("pki"));
        int nodeTlsPort = NodeProcess.freePort();
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", NodeProcess.freePort());
        pacs.useDicomTls(certs.pacs().cert(), certs.pacs().key(), certs.caCert(), "CTAI", nodeTlsPort);
        pacs.start();
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                "--dicom.allowed-callers=" + OrthancPacs.AE, "--dicom.tls-port=" + nodeTlsPort,
                "--dicom.tls-cert=" + certs.node().cert(), "--dicom.tls-key=" + certs.node().key(), "--dicom.tls-trusted=" + certs.caCert(),
                "--send.destinations=" + OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort + ";tls;trusted=" + certs.caCert(),
                "--send.tls-cert=" + certs.node().cert(), "--send.tls-key=" + certs.node().key(),
                "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=2", "--send.connect-timeout-seconds=2"));

        Phantom p = PhantomGenerator.generate(PhantomSpec.of(9711).withSlices(10).withSize(256).withTumours(1));
        PhantomFiles files = PhantomGenerator.write(p, tmp.resolve("phantom"));
        List<String> cmd = new ArrayList<>(List.of("storescu", "+tls", certs.client().key().toString(), certs.client().cert().toString(),
                "+cf", certs.caCert().toString(), "-aet", TestNodes.CALLER, "-aec", OrthancPacs.AE, "127.0.0.1", Integer.toString(pacs.dicomPort)));
        files.images().forEach(f -> cmd.add(f.toString()));
        Dcmtk.Result sent = Dcmtk.run(cmd);
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        String study = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> pacs.instances(study, "SEG").size() >= 1 && pacs.instances(study, "SR").size() >= 1);

        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(10);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.outbox")).containsExactly("sent");
        assertThat(node.dicomTlsPort()).isEqualTo(nodeTlsPort);
    }
}
