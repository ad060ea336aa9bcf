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
import org.ctai.viewer.PasswordHasher;
import org.junit.jupiter.api.Test;

/**
 * A real DICOMweb client: Orthanc's DICOMweb plugin pushes a phantom study to the node's STOW-RS with HTTP Basic as a
 * sender; the node stores it, runs the real model once the request ends, and sends SEG and SR back to Orthanc.
 */
class StowOrthancTest extends NodeWithOrthancTest {

    @Test
    void studyPushedByOrthancsDicomWebClientIsProcessedAndComesBack() throws Exception {
        int webPort = NodeProcess.freePort();
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", NodeProcess.freePort());
        pacs.useDicomWebToNode("http://127.0.0.1:" + webPort + "/dicomweb/", "orthanc", "stow secret for tests");
        pacs.start();
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), "--web.port=" + webPort,
                "--web.users=orthanc:sender:" + PasswordHasher.hash("stow secret for tests".toCharArray(), 1000),
                "--send.destinations=" + OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort, "--send.backoff-seconds=0.5"));

        Phantom p = PhantomGenerator.generate(PhantomSpec.of(9721).withSlices(10).withSize(256).withTumours(1));
        PhantomFiles files = PhantomGenerator.write(p, tmp.resolve("phantom"));
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", TestNodes.CALLER, "-aec", OrthancPacs.AE, "127.0.0.1",
                Integer.toString(pacs.dicomPort)));
        files.images().forEach(f -> cmd.add(f.toString()));
        assertThat(Dcmtk.run(cmd).exitCode()).isZero();
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        String study = com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);

        pacs.pushByStow(pacs.studyId(study));

        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(10);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> pacs.instances(study, "SEG").size() >= 1 && pacs.instances(study, "SR").size() >= 1);
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job")).isEqualTo(1);
    }
}
