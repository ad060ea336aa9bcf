package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;

/**
 * Priors from a DICOMweb server, as {@link PriorFetchTest} does them by C-FIND and C-MOVE: Orthanc (DICOMweb plugin,
 * HTTP Basic) holds two earlier studies of a phantom patient; the newest study reaches the node by C-STORE, and the node
 * alone finds the priors by QIDO-RS, retrieves them by WADO-RS into its own intake and processes them. The results of
 * the newest go back to the same server by STOW-RS; the priors' stay at home.
 */
class PriorsOverDicomWebTest extends NodeWithOrthancTest {
    private static final String PATIENT_ID = "PRIOR-WEB-0001";
    private static final String USER = "ctai";
    private static final String PASSWORD = "qido wado secret 21";

    @Test
    void fetchesBothPriorsByQidoAndWadoAndThePatientHasThreeStudies() throws Exception {
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", NodeProcess.freePort());
        pacs.noAutomaticRouting();
        String dicomWeb = pacs.useDicomWebServer(USER, PASSWORD);
        pacs.start();
        PhantomFiles first = study(LocalDate.of(2024, 1, 15), 1.0);
        PhantomFiles second = study(LocalDate.of(2024, 7, 15), 1.2);
        for (PhantomFiles f : List.of(first, second)) for (Path image : f.images()) pacs.upload(image);

        String web = "dicomweb:" + dicomWeb + ";auth=basic:ORTHANC_WEB";
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), Map.of("ORTHANC_WEB", USER + ":" + PASSWORD),
                "--send.destinations=" + web, "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=2",
                "--priors.source=" + web, "--priors.retry-seconds=0.5", "--priors.retry-max-seconds=1",
                "--priors.connect-timeout-seconds=2", "--priors.timeout-seconds=20"));

        PhantomFiles current = study(LocalDate.of(2025, 1, 15), 1.5);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), current.images()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(DISTINCT study_uid) FROM scp.history WHERE state = 'done'") >= 3);
        JsonNode h = new ObjectMapper().readTree(Web.get(node, "/api/patient?id=" + PATIENT_ID + "&issuer="));
        List<String> order = new ArrayList<>();
        for (JsonNode s : h.get("studies")) order.add(s.get("studyUid").asText());
        assertThat(order).as(h.toString()).containsExactly(studyUid(first), studyUid(second), studyUid(current));
        assertThat(TestNodes.strings(node.dataSource(), "SELECT study_uid || ' ' || state || ' ' || attempts FROM scp.prior_fetch ORDER BY study_date"))
                .containsExactly(studyUid(first) + " done 1", studyUid(second) + " done 1");
        // each prior came in once, through the intake, under the server's host name as its calling AE title
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(30);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> !pacs.instances(studyUid(current), "SR").isEmpty());
        assertThat(pacs.instances(studyUid(first), "SR")).isEmpty();
        assertThat(TestNodes.strings(node.dataSource(), "SELECT DISTINCT destination FROM scp.outbox")).containsExactly("dicomweb:" + dicomWeb);
    }

    /** One study of the phantom patient: same anatomy and tumour, grown by {@code tumourScale}. */
    private PhantomFiles study(LocalDate date, double tumourScale) throws Exception {
        PhantomSpec spec = PhantomSpec.of(9902).withSlices(10).withSize(256).withTumours(1).withTumourScale(tumourScale)
                .withPatient("PRIOR^WEB", PATIENT_ID).withStudyDate(date);
        return PhantomGenerator.write(PhantomGenerator.generate(spec), tmp.resolve("study-" + date));
    }

    private static String studyUid(PhantomFiles files) throws Exception {
        AttributeList l = new AttributeList();
        l.read(files.images().get(0).toFile(), TagFromName.PixelData);
        return Attribute.getSingleStringValueOrEmptyString(l, TagFromName.StudyInstanceUID);
    }
}
