package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-D patch model with a manifest (two coded labels, 2 mm target spacing) runs through the node: received
 * over DICOM, resampled and segmented patch by patch, one SEG segment per lesion with its label's codes, SR
 * findings per label, both delivered to the PACS; pydicom and dciodvfy read what arrived.
 */
class MultiLabelModelTest {
    /** inference's test model: softmax over air (< -60 HU), class 1 (-60..0 HU) and class 2 (> 0 HU). */
    private static final Path MODEL = Path.of("..", "inference", "src", "test", "resources", "org", "ctai", "inference", "models",
            "softmax_patch3d.onnx").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void twoLabelsOfAThreeDimensionalModelArriveAtThePacsAsTwoCodedSegmentsAndTwoFindings() throws Exception {
        int size = 64;
        // a ball of -30 HU (label 1) and one of +100 HU (label 2), 8 mm radius, in air, 0.8 mm pixels, 1 mm slices
        CtSeriesWriter.Series series = CtSeriesWriter.writeHu(tmp.resolve("ct"), 32, size, (slice, row, column) -> {
            if (inBall(slice, row * 0.8, column * 0.8, 16, 14, 14)) return -30;
            if (inBall(slice, row * 0.8, column * 0.8, 16, 36, 36)) return 100;
            return -1000;
        });
        int pacsPort = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", pacsPort, tmp.resolve("pacs"));
             Node node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), "--model.file=" + MODEL,
                     "--send.destinations=PACS@127.0.0.1:" + pacsPort))) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), series.files()).exitCode()).isZero();

            await().atMost(Duration.ofSeconds(120)).until(() ->
                    TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox WHERE state = 'sent'") == 1);
            JsonNode result = JSON.readTree(TestNodes.strings(node.dataSource(), "SELECT result::text FROM scp.job").get(0));
            assertThat(result.get("labels")).extracting(l -> l.get("name").asText()).containsExactly("Hypodense lesion", "Hyperdense lesion");
            assertThat(result.get("lesions")).hasSize(2);
            double ballMm3 = 4.0 / 3 * Math.PI * 8 * 8 * 8;
            JsonNode hypodense = lesion(result, 0);
            JsonNode hyperdense = lesion(result, 1);
            assertThat(hypodense.get("centroidMm").get("x").asDouble()).isCloseTo(14, org.assertj.core.data.Offset.offset(1.0));
            assertThat(hypodense.get("centroidMm").get("y").asDouble()).isCloseTo(14, org.assertj.core.data.Offset.offset(1.0));
            assertThat(hyperdense.get("centroidMm").get("x").asDouble()).isCloseTo(36, org.assertj.core.data.Offset.offset(1.0));
            assertThat(hyperdense.get("centroidMm").get("z").asDouble()).isCloseTo(16, org.assertj.core.data.Offset.offset(1.0));
            // a 16 mm ball seen by a thresholding model on its 2 mm grid and labelled back on 0.8 mm pixels: the
            // grid's edge voxels decide, so each ball keeps between half and all of its volume (measured: 68-73 %)
            assertThat(hyperdense.get("volumeMm3").asDouble()).isBetween(0.5 * ballMm3, 1.05 * ballMm3);
            assertThat(hypodense.get("volumeMm3").asDouble()).isBetween(0.5 * ballMm3, 1.05 * ballMm3);
            assertThat(result.get("stages").fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("load", "preprocess", "inference", "postprocess", "write");

            List<String> received = new ArrayList<>();
            for (Path f : pacs.received()) received.add(f.toString());
            String read = python("""
                    import sys, pydicom
                    for f in sys.argv[1:]:
                        d = pydicom.dcmread(f)
                        if d.Modality == "SEG":
                            for s in d.SegmentSequence:
                                print("SEGMENT", s.SegmentLabel, s.SegmentedPropertyTypeCodeSequence[0].CodeValue, sep="|")
                        if d.Modality == "SR":
                            def walk(items):
                                for i in items:
                                    name = i.ConceptNameCodeSequence[0].CodeValue if "ConceptNameCodeSequence" in i else ""
                                    if name in ("121071", "363698007") and i.ValueType == "CODE":
                                        print("SR", name, i.ConceptCodeSequence[0].CodeValue, sep="|")
                                    if "ContentSequence" in i:
                                        walk(i.ContentSequence)
                            walk(d.ContentSequence)
                    """, received);
            assertThat(read.lines().filter(l -> l.startsWith("SEGMENT")).toList())
                    .containsExactlyInAnyOrder("SEGMENT|Hypodense lesion 1|108369006", "SEGMENT|Hyperdense lesion 2|86049000");
            // each lesion's two groups (volumetric and planar) carry its label's finding and the manifest's site, the liver
            assertThat(read.lines().filter(l -> l.startsWith("SR|121071")).toList())
                    .containsExactlyInAnyOrder("SR|121071|108369006", "SR|121071|108369006", "SR|121071|86049000", "SR|121071|86049000");
            assertThat(read.lines().filter(l -> l.startsWith("SR|363698007")).toList()).hasSize(4).allMatch(l -> l.endsWith("|10200004"));
            for (String f : received) {
                String v = output(List.of("dciodvfy", f));
                assertThat(v.lines().filter(l -> l.startsWith("Error"))).as(f + "\n" + v).isEmpty();
            }
        }
    }

    /** The lesion of label {@code index} (0-based), found through the result's label list. */
    private static JsonNode lesion(JsonNode result, int index) {
        int id = result.get("labels").get(index).get("lesionIds").get(0).asInt();
        for (JsonNode lesion : result.get("lesions")) if (lesion.get("id").asInt() == id) return lesion;
        throw new AssertionError("no lesion " + id + " in " + result);
    }

    private static boolean inBall(double z, double y, double x, double cz, double cy, double cx) {
        return (z - cz) * (z - cz) + (y - cy) * (y - cy) + (x - cx) * (x - cx) <= 64;
    }

    private static String python(String script, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c", script));
        cmd.addAll(args);
        return run(cmd);
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }

    /** Whatever the tool prints, whatever its exit status (dciodvfy's reflects warnings too). */
    private static String output(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
