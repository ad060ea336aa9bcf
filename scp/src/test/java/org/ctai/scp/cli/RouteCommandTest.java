package org.ctai.scp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ctai.inference.phantom.PhantomExam;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ctai route} on the phantom exam with the shipped pipeline: the decision and the reason for every series. */
class RouteCommandTest {
    @TempDir
    static Path tmp;

    private static PhantomExam.ExamFiles exam;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final ByteArrayOutputStream warned = new ByteArrayOutputStream();

    @BeforeAll
    static void writeExam() throws Exception {
        exam = PhantomExam.write(PhantomSpec.of(18).withSize(256), tmp.resolve("exam"));
        Files.writeString(tmp.resolve("exam").resolve("README.txt"), "not DICOM, passed over");
    }

    private int route(List<Path> paths, boolean json, String... overrides) throws Exception {
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), List.of(overrides));
        return new RouteCommand(config.pipelines(), new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(warned, true, StandardCharsets.UTF_8)).run(paths, "", json);
    }

    /** The block printed for the series in {@code folder}. */
    private String block(String folder) {
        String out = printed.toString(StandardCharsets.UTF_8);
        String uid = exam.series(folder).seriesInstanceUid();
        int start = out.indexOf("series " + uid);
        assertThat(start).as(folder + " in\n" + out).isNotNegative();
        return out.substring(start, out.indexOf("\n\n", start));
    }

    @Test
    void theShippedPipelineTakesBothAxialAbdominalSeriesAndSaysWhyNotTheOthers() throws Exception {
        int code = route(List.of(tmp.resolve("exam")), false);

        assertThat(code).isZero();
        assertThat(block(PhantomExam.THIN)).contains("\"Abdomen 1.25mm STANDARD\" (CT, 41 instances)").contains("liver: TAKEN");
        assertThat(block(PhantomExam.THICK)).contains("(CT, 11 instances)").contains("liver: TAKEN");
        assertThat(block(PhantomExam.LOCALIZER)).contains("liver: not taken, pipeline.liver.rule.4 (imageType not contains LOCALIZER): "
                + "imageType contains LOCALIZER (ORIGINAL\\PRIMARY\\LOCALIZER)");
        assertThat(block(PhantomExam.REFORMAT)).contains("liver: not taken, pipeline.liver.rule.5 (")
                .contains("imageType contains DERIVED (DERIVED\\SECONDARY\\REFORMATTED)");
        assertThat(block(PhantomExam.DOSE)).contains("liver: not taken, pipeline.liver.rule.2 (sopClass = CTImageStorage): "
                + "sopClass is SecondaryCaptureImageStorage, not CTImageStorage");
        assertThat(block(PhantomExam.HEAD)).contains("liver: not taken, pipeline.liver.rule.3 (").contains("bodyPart is HEAD, not one of (");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("6 series: 2 taken by a pipeline, 4 by none");
        assertThat(warned.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withoutTheBodyPartRuleTheTiltedHeadIsStillKeptOutByItsOrientation() throws Exception {
        route(List.of(exam.directory().resolve(PhantomExam.HEAD)), false, "--pipeline.liver.rule.3=");

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("pipeline.liver.rule.7 (orientation axial within 5): "
                + "orientation not axial within 5 (tilt 18.5, obliquity 0 degrees)");
    }

    @Test
    void jsonListsEveryDecisionAndASecondPipelineDecidesOnItsOwn() throws Exception {
        route(List.of(tmp.resolve("exam")), true, "--pipelines=liver,head", "--pipeline.head.rule.1=bodyPart = HEAD",
                "--pipeline.head.rule.2=orientation axial within 2 tilt 30", "--pipeline.head.priority=10");

        JsonNode series = new ObjectMapper().readTree(printed.toString(StandardCharsets.UTF_8)).get("series");
        assertThat(series).hasSize(6);
        for (JsonNode s : series) {
            boolean head = s.get("series").asText().equals(exam.series(PhantomExam.HEAD).seriesInstanceUid());
            assertThat(s.get("decisions")).hasSize(2);
            assertThat(s.get("decisions").get(0).get("pipeline").asText()).isEqualTo("liver");
            assertThat(s.get("decisions").get(1).get("taken").asBoolean()).as(s.get("description").asText()).isEqualTo(head);
        }
    }

    @Test
    void realCtSlicesAreKeptOutOnlyByTheirCountAndTheirSegmentationByItsModality() throws Exception {
        Path real = Path.of("..", "..", "shared", "testdata", "dcmqi-ct3slice").toAbsolutePath().normalize();
        if (!Files.isDirectory(real)) real = Path.of("/work/shared/testdata/dcmqi-ct3slice");
        org.assertj.core.api.Assumptions.assumeThat(real).isDirectory();

        route(List.of(real), false);
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("(CT, 3 instances)").contains("pipeline.liver.rule.9 (slices in 5..3000): slices is 3, outside 5..3000")
                .contains("\"Liver Segmentation\" (SEG, 1 instance)").contains("pipeline.liver.rule.1 (modality = CT): modality is SEG, not CT");

        printed.reset();
        route(List.of(real), false, "--pipeline.liver.rule.9=slices >= 3");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("liver: TAKEN").contains("2 series: 1 taken by a pipeline, 1 by none");
    }

    @Test
    void aBadRuleOnTheCommandLineEndsTheCommandWithStatusTwo() {
        int code = new CommandLine(new Main()).execute("route", tmp.resolve("exam").toString(), "--pipeline.liver.rule.1=modality ==");
        assertThat(code).isEqualTo(2);
    }

    @Test
    void pydicomsOwnTestFilesAreEachKeptOutWithTheirReason() throws Exception {
        Path pydicom = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
        org.assertj.core.api.Assumptions.assumeThat(pydicom).as("Debian python3-pydicom's test files (./ctai test installs it)").isDirectory();
        List<Path> files = List.of(pydicom.resolve("CT_small.dcm"), pydicom.resolve("MR_small.dcm"), pydicom.resolve("SC_rgb_gdcm_KY.dcm"));

        int code = route(files, false);

        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(out).doesNotContain("liver: TAKEN")
                // a single CT slice: not a series the model was made for
                .contains("pipeline.liver.rule.9 (slices in 5..3000): slices is 1, outside 5..3000")
                .contains("pipeline.liver.rule.1 (modality = CT): modality is MR, not CT")
                .contains("3 series: 0 taken by a pipeline, 3 by none");
    }
}
