package org.ctai.scp.cli;

import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
import javax.imageio.ImageIO;
import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ctai analyze} on phantom files: table, JSON, overlays, and refusals. */
class AnalyzeCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final ByteArrayOutputStream warned = new ByteArrayOutputStream();

    private int analyze(List<Path> paths, Path out, boolean json) throws Exception {
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), List.of());
        return new AnalyzeCommand(config.inference(), new PrintStream(printed, true, StandardCharsets.UTF_8),
                new PrintStream(warned, true, StandardCharsets.UTF_8)).run(paths, out, json);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private String warned() {
        return warned.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEachLesionInPhysicalUnitsAndWritesAnOverlayOfItsLargestSlice() throws Exception {
        Phantom phantom = PhantomGenerator.generate(PhantomSpec.of(9201).withSlices(8).withSize(256).withTumours(1));
        PhantomFiles files = PhantomGenerator.write(phantom, tmp.resolve("p"));

        int code = analyze(List.of(files.directory().resolve("dicom")), tmp.resolve("out"), false);

        assertThat(code).isZero();
        assertThat(printed()).contains("volume mL").contains("largest area mm2").contains("diameter mm").contains("short axis mm")
                .doesNotContain("no lesion");
        Path dir = tmp.resolve("out").resolve(phantom.seriesInstanceUid());
        try (var pngs = Files.list(dir)) {
            Path png = pngs.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
            var image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(256);
            assertThat(image.getHeight()).isEqualTo(256);
        }
        JsonNode report = new ObjectMapper().readTree(dir.resolve("analysis.json").toFile());
        assertThat(report.get("lesions").get(0).get("volumeMm3").asDouble()).isPositive();
        assertThat(report.get("dicom").toString()).contains("SEG-").contains("SR-").contains("SC-");
        for (JsonNode name : report.get("dicom")) assertThat(dir.resolve(name.asText())).isRegularFile();
    }

    @Test
    void jsonOutputListsEverySeriesAndAnUnreadableFileFailsTheRun() throws Exception {
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9202).withSlices(4).withSize(128).withTumours(0)),
                tmp.resolve("p"));
        Path junk = Files.writeString(tmp.resolve("junk.dcm"), "not DICOM");

        int code = analyze(List.of(files.directory().resolve("dicom"), junk), null, true);

        assertThat(code).isOne();
        JsonNode reports = new ObjectMapper().readTree(printed());
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).get("lesions")).isEmpty();
        assertThat(reports.get(1).get("unreadable").asText()).isNotBlank();
    }

    @Test
    void thePhantomFolderAsWrittenIsAnalysedAndItsMasksAndTruthAreSkippedWithOneWarning() throws Exception {
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9201).withSlices(8).withSize(256).withTumours(1)),
                tmp.resolve("p"));
        try (var all = Files.walk(files.directory())) {
            assertThat(all.filter(f -> f.toString().endsWith(".png") || f.toString().endsWith(".json")).count()).isPositive();
        }

        int code = analyze(List.of(files.directory()), null, false);

        assertThat(code).isZero();
        assertThat(printed()).contains("volume mL").doesNotContain("unreadable");
        assertThat(warned().lines().toList()).singleElement().asString().contains("not DICOM");
    }

    @Test
    void jsonModePrintsOnlyJsonOnStandardOutputWithTheShippedLogging() throws Exception {
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9201).withSlices(8).withSize(256).withTumours(1)),
                tmp.resolve("p"));
        Path stdout = tmp.resolve("stdout");
        Path stderr = tmp.resolve("stderr");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=" + Path.of("..", "conf", "logback.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "analyze", "--json", "--out", tmp.resolve("out").toString(), files.directory().toString())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();

        assertThat(p.waitFor()).as(Files.readString(stderr)).isZero();
        JsonNode reports = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(stdout.toFile());
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).get("lesions")).isNotEmpty();
        assertThat(Files.readString(stderr)).contains("INFO").contains("wrote").contains("not DICOM");
    }
}
