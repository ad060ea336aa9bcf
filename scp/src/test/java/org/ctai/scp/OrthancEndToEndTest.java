package org.ctai.scp;

import org.ctai.inference.series.Volume;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.SOPClass;
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
 * The node's whole job against a real PACS (Orthanc): series routed in by Orthanc's Lua, SEG and SR sent
 * back into the same study, and nothing lost or doubled when the PACS or the node goes down.
 */
class OrthancEndToEndTest extends NodeWithOrthancTest {

    private void startBoth(String... more) throws Exception {
        int nodePort = NodeProcess.freePort();
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", nodePort);
        pacs.start();
        node = Node.start(nodeConfig(nodePort, more));
    }

    private NodeConfig nodeConfig(int nodePort, String... more) {
        List<String> o = new ArrayList<>(List.of("--dicom.port=" + nodePort, "--dicom.allowed-callers=" + OrthancPacs.AE + "," + TestNodes.CALLER,
                "--send.destinations=" + OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort, "--send.backoff-seconds=0.5",
                "--send.backoff-max-seconds=2", "--send.connect-timeout-seconds=2"));
        o.addAll(List.of(more));
        return TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), o.toArray(String[]::new));
    }

    private PhantomFiles phantom(long seed, int tumours) throws Exception {
        Phantom p = PhantomGenerator.generate(PhantomSpec.of(seed).withSlices(10).withSize(256).withTumours(tumours));
        return PhantomGenerator.write(p, tmp.resolve("phantom-" + seed));
    }

    private static String studyUid(PhantomFiles files) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
    }

    private void sendToPacs(PhantomFiles files) {
        Dcmtk.Result r = Dcmtk.run(storescuTo(OrthancPacs.AE, pacs.dicomPort, files.images()));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static List<String> storescuTo(String ae, int port, List<Path> files) {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", TestNodes.CALLER, "-aec", ae, "127.0.0.1", Integer.toString(port)));
        files.forEach(f -> cmd.add(f.toString()));
        return cmd;
    }

    private void awaitInPacs(String studyUid, String modality, int count) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> pacs.instances(studyUid, modality).size() >= count);
    }

    @Test
    void seriesRoutedByThePacsComesBackAsSegAndSrInTheSameStudy() throws Exception {
        startBoth();
        PhantomFiles files = phantom(9701, 1);
        String study = studyUid(files);
        sendToPacs(files);

        awaitInPacs(study, "SEG", 1);
        awaitInPacs(study, "SR", 1);

        JsonNode seg = pacs.instances(study, "SEG").get(0);
        JsonNode ct = pacs.instances(study, "CT").get(0);
        assertThat(seg.path("ReferencedSeriesSequence").get(0).path("SeriesInstanceUID").asText())
                .isEqualTo(ct.path("SeriesInstanceUID").asText());
        JsonNode sr = pacs.instances(study, "SR").get(0);
        List<Double> volumes = new ArrayList<>();
        collectNumbers(sr.path("ContentSequence"), "Volume", volumes);
        List<Double> history = TestNodes.strings(node.dataSource(), "SELECT volume_mm3::text FROM scp.lesion ORDER BY lesion_id")
                .stream().map(Double::parseDouble).toList();
        assertThat(volumes).hasSameSizeAs(history);
        assertSameValues(volumes, history);
        // largest axial area (volumetric group) and the area on that slice (planar group) are both the history's
        List<Double> areas = new ArrayList<>();
        collectNumbers(sr.path("ContentSequence"), "Area", areas);
        assertSameValues(areas, numbers("SELECT largest_area_mm2::text FROM scp.lesion"));
        List<Double> diameters = new ArrayList<>();
        collectNumbers(sr.path("ContentSequence"), "Long Axis", diameters);
        assertSameValues(diameters, numbers("SELECT longest_diameter_mm::text FROM scp.lesion"));
    }

    private List<Double> numbers(String sql) {
        return TestNodes.strings(node.dataSource(), sql).stream().map(Double::parseDouble).toList();
    }

    /** Every SR value is a history value and every history value is in the SR, to the 16 characters of a DICOM DS. */
    private static void assertSameValues(List<Double> sr, List<Double> history) {
        assertThat(sr).isNotEmpty();
        for (double v : sr) assertThat(history).as("SR value %s among the history's %s", v, history).anyMatch(h -> Math.abs(h - v) <= 1e-9 * Math.abs(h));
        for (double h : history) assertThat(sr).as("history value %s among the SR's %s", h, sr).anyMatch(v -> Math.abs(h - v) <= 1e-9 * Math.abs(h));
    }

    /** Every NUM whose concept name's meaning is {@code meaning}, depth first. */
    private static void collectNumbers(JsonNode items, String meaning, List<Double> out) {
        for (JsonNode item : items) {
            JsonNode name = item.path("ConceptNameCodeSequence");
            if (item.path("ValueType").asText().equals("NUM") && name.size() > 0 && name.get(0).path("CodeMeaning").asText().equals(meaning)) {
                out.add(item.path("MeasuredValueSequence").get(0).path("NumericValue").asDouble());
            }
            collectNumbers(item.path("ContentSequence"), meaning, out);
        }
    }

    @Test
    void resultsWaitWhileThePacsIsDownAndArriveOnceWhenItIsBack() throws Exception {
        startBoth();
        pacs.stop();
        PhantomFiles files = phantom(9702, 1);
        String study = studyUid(files);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.outbox") >= 2);

        pacs.start();

        awaitInPacs(study, "SR", 1);
        awaitInPacs(study, "SEG", 1);
        Thread.sleep(3000); // a duplicate delivery would show up by now
        assertThat(pacs.instances(study, "SEG")).hasSize(1);
        assertThat(pacs.instances(study, "SR")).hasSize(1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.outbox")).containsExactly("sent");
    }

    @Test
    void seriesWithoutTumourGetsAnSrSayingSoAndNoSeg() throws Exception {
        startBoth();
        PhantomFiles files = phantom(9703, 0);
        String study = studyUid(files);
        sendToPacs(files);

        awaitInPacs(study, "SR", 1);
        Thread.sleep(2000);
        assertThat(pacs.instances(study, "SEG")).isEmpty();
        assertThat(TestNodes.strings(node.dataSource(), "SELECT lesion_count::text FROM scp.history")).containsExactly("0");
    }

    @Test
    void badSeriesFailsWithItsReasonWhileTheOtherSeriesIsProcessed() throws Exception {
        // rules loosened to only CT: the point is the loader's own refusal of a series a too-broad pipeline lets through
        startBoth("--pipeline.liver.rule.3=", "--pipeline.liver.rule.4=", "--pipeline.liver.rule.5=", "--pipeline.liver.rule.6=",
                "--pipeline.liver.rule.7=", "--pipeline.liver.rule.8=", "--pipeline.liver.rule.9=", "--pipeline.liver.rule.10=");
        CtSeriesWriter.Series mixed = CtSeriesWriter.writeMixedSizes(tmp.resolve("mixed"));
        String series = mixed.seriesUid();
        List<Path> bad = mixed.files();
        PhantomFiles good = phantom(9704, 1);
        String goodStudy = studyUid(good);
        Dcmtk.run(storescuTo(OrthancPacs.AE, pacs.dicomPort, bad));
        sendToPacs(good);

        awaitInPacs(goodStudy, "SR", 1);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TestNodes.strings(node.dataSource(), "SELECT state FROM scp.history WHERE series_uid = '" + series + "'").contains("failed"));
        assertThat(TestNodes.strings(node.dataSource(), "SELECT last_error FROM scp.history WHERE series_uid = '" + series + "'").get(0))
                .contains("48x48").contains("32x32");
    }
}
