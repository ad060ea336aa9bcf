package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.SOPClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's worker runs the real default model on series received over DICOM. */
class NodeInferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Node node;

    @BeforeEach
    void start() {
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase()));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private JsonNode awaitFinishedJob(String state) throws Exception {
        await().atMost(Duration.ofSeconds(120)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state IN ('done', 'failed', 'dead')") == 1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.job")).containsExactly(state);
        List<String> result = TestNodes.strings(node.dataSource(), "SELECT coalesce(result::text, last_error) FROM scp.job");
        return state.equals("done") ? JSON.readTree(result.get(0)) : JSON.getNodeFactory().textNode(result.get(0));
    }

    @Test
    void receivedPhantomIsSegmentedAndItsTumourVolumeMeasuredWithinTenPercent() throws Exception {
        Phantom phantom = PhantomGenerator.generate(PhantomSpec.of(9101).withSlices(12).withTumours(1));
        PhantomFiles files = PhantomGenerator.write(phantom, tmp.resolve("phantom"));
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();

        JsonNode result = awaitFinishedJob("done");

        assertThat(result.get("kind").asText()).isEqualTo("inference");
        assertThat(result.get("provider").asText()).isEqualTo("CPU");
        assertThat(result.get("slices").asInt()).isEqualTo(12);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT slices_done || '/' || slices_total FROM scp.job")).containsExactly("12/12");
        assertThat(TestNodes.strings(node.dataSource(), "SELECT model || ' ' || model_version FROM scp.history").get(0))
                .contains("ctai-phantom-unet.onnx").containsPattern("sha256:[0-9a-f]{16}");
        double measured = 0;
        for (JsonNode lesion : result.get("lesions")) measured += lesion.get("volumeMm3").asDouble();
        assertThat(result.get("lesions")).isNotEmpty();
        assertThat(measured).isCloseTo(phantom.truthVolumeMm3(), org.assertj.core.data.Percentage.withPercentage(10));
        // the web page's overlay images: one PNG per slice with lesion, of the slice's size
        List<String> pngs = TestNodes.strings(node.dataSource(), "SELECT path FROM scp.overlay_image ORDER BY slice_index");
        assertThat(pngs).isNotEmpty();
        var image = javax.imageio.ImageIO.read(tmp.resolve("data").resolve(pngs.get(0)).toFile());
        assertThat(image.getWidth()).isEqualTo(512);
        assertThat(image.getHeight()).isEqualTo(512);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT kind FROM scp.result_object ORDER BY id")).startsWith("seg", "sr").contains("overlay");
    }

    @Test
    void jpeg2000CompressedSeriesIsStoredAsReceivedAndSegmentedToTheTruthWithinTenPercent() throws Exception {
        Phantom phantom = PhantomGenerator.generate(PhantomSpec.of(9101).withSlices(12).withTumours(1));
        PhantomFiles files = PhantomGenerator.write(phantom, tmp.resolve("phantom"));
        List<Path> compressed = new java.util.ArrayList<>();
        for (Path f : files.images()) {
            Path out = Files.createDirectories(tmp.resolve("j2k")).resolve(f.getFileName());
            Process p = new ProcessBuilder("gdcmconv", "--j2k", f.toString(), out.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("gdcmconv (./ctai test installs libgdcm-tools): " + output).isZero();
            compressed.add(out);
        }
        // -xv: storescu proposes JPEG 2000 lossless first, as a PACS holding it would
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), compressed, "-xv").exitCode()).isZero();

        JsonNode result = awaitFinishedJob("done");

        assertThat(TestNodes.strings(node.dataSource(), "SELECT DISTINCT transfer_syntax_uid FROM scp.instance"))
                .containsExactly("1.2.840.10008.1.2.4.90");
        double measured = 0;
        for (JsonNode lesion : result.get("lesions")) measured += lesion.get("volumeMm3").asDouble();
        assertThat(measured).isCloseTo(phantom.truthVolumeMm3(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(TestNodes.strings(node.dataSource(), "SELECT kind FROM scp.result_object ORDER BY id")).startsWith("seg", "sr");
    }

    @Test
    void seriesWithoutTumourIsDoneWithNoLesion() throws Exception {
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9102).withSlices(6).withSize(256).withTumours(0)),
                tmp.resolve("phantom"));
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();

        JsonNode result = awaitFinishedJob("done");

        assertThat(result.get("lesions")).isEmpty();
    }

    @Test
    void seriesWithMixedImageSizesFailsPermanentlyWithTheLoadersReason() throws Exception {
        CtSeriesWriter.Series mixed = CtSeriesWriter.writeMixedSizes(tmp.resolve("mixed"));
        String series = mixed.seriesUid();
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), mixed.files()).exitCode()).isZero();

        JsonNode reason = awaitFinishedJob("failed");

        assertThat(reason.asText()).contains(series).contains("48x48").contains("32x32");
        assertThat(TestNodes.strings(node.dataSource(), "SELECT reason FROM scp.job_event WHERE to_state = 'failed'"))
                .singleElement().asString().contains("48x48");
    }
}
