package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.Volume;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results derived from pixels that went through lossy compression say so (PS3.3 C.7.6.1.1.5): the SEG and the
 * overlay secondary captures carry Lossy Image Compression "01" with the source's ratio and method, read back by
 * pydicom, and stay free of dciodvfy errors. Sources: lossy JPEG 2000 written by GDCM (which records the flag and
 * ratio but no method), the same with the flags removed (a sender that compressed in transit without saying so),
 * and an uncompressed source whose header says it was lossy-compressed before.
 */
class LossyInputResultsTest {

    @TempDir
    Path dir;

    @Test
    void lossyJpeg2000SourceMakesLossyResults() throws Exception {
        Path source = phantom(dir.resolve("phantom"));
        Path lossy = transcode(source, dir.resolve("j2k"), "gdcmconv", "--j2k", "--lossy", "-q", "40", "{in}", "{out}");
        List<JsonNode> read = results(lossy);
        for (JsonNode o : read) {
            if (isSr(o)) {
                // the SR IOD has no General Image module: Lossy Image Compression there would make it a Standard
                // Extended SOP Class (dciodvfy says so); the images it references carry the flag
                assertThat(o.get("lossyImageCompression").isNull()).as("Lossy Image Compression in the SR").isTrue();
                continue;
            }
            assertThat(o.get("lossyImageCompression").asText()).as("Lossy Image Compression of %s", o).isEqualTo("01");
            assertThat(o.get("method")).as("method of %s", o).isNotNull();
            assertThat(texts(o.get("method"))).contains("ISO_15444_1");
            assertThat(o.get("ratio")).as("ratio of %s", o).hasSameSizeAs(o.get("method"));
        }
    }

    @Test
    void lossyJpeg2000WithoutTheFlagStillMakesLossyResults() throws Exception {
        Path source = phantom(dir.resolve("phantom"));
        Path lossy = transcode(source, dir.resolve("j2k"), "gdcmconv", "--j2k", "--lossy", "-q", "40", "{in}", "{out}");
        try (Stream<Path> files = Files.list(lossy)) {
            for (Path f : files.toList()) {
                run(List.of("dcmodify", "-nb", "-imt", "-ea", "(0028,2110)", "-ea", "(0028,2112)", "-ea", "(0028,2114)", f.toString()));
            }
        }
        for (JsonNode o : results(lossy)) {
            if (isSr(o)) continue;
            assertThat(o.get("lossyImageCompression").asText()).as("Lossy Image Compression of %s", o).isEqualTo("01");
            assertThat(texts(o.get("method"))).containsExactly("ISO_15444_1");
            assertThat(Double.parseDouble(o.get("ratio").get(0).asText())).as("ratio: uncompressed / compressed").isGreaterThan(1);
        }
    }

    @Test
    void aSourceThatSaysItWasLossyCompressedPassesItsRatioAndMethodOn() throws Exception {
        Path source = phantom(dir.resolve("phantom"));
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                AttributeList list = new AttributeList();
                list.read(f.toFile());
                CommonModules.put(list, TagFromName.LossyImageCompression, "01");
                CommonModules.put(list, TagFromName.LossyImageCompressionRatio, "8.5");
                CommonModules.put(list, TagFromName.LossyImageCompressionMethod, "ISO_10918_1");
                list.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
            }
        }
        for (JsonNode o : results(source)) {
            if (isSr(o)) continue;
            assertThat(o.get("lossyImageCompression").asText()).as("Lossy Image Compression of %s", o).isEqualTo("01");
            assertThat(texts(o.get("ratio"))).containsExactly("8.5");
            assertThat(texts(o.get("method"))).containsExactly("ISO_10918_1");
        }
    }

    @Test
    void losslessSourceMakesResultsThatSayNoLossyCompression() throws Exception {
        for (JsonNode o : results(phantom(dir.resolve("phantom")))) {
            if (isSr(o)) continue;
            assertThat(o.get("lossyImageCompression").asText()).as("Lossy Image Compression of %s", o).isEqualTo("00");
            assertThat(o.get("ratio").isNull()).isTrue();
        }
    }

    private static boolean isSr(JsonNode o) {
        return o.get("sopClassUid").asText().startsWith("1.2.840.10008.5.1.4.1.1.88.");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** A small phantom series (4 slices of 128 x 128), its DICOM folder. */
    private static Path phantom(Path folder) throws Exception {
        AnalysedSeries.phantom(PhantomSpec.of(9631).withSize(128).withSlices(4).withTumours(1), folder);
        return folder.resolve("dicom");
    }

    /** SEG, SR and overlays of a drawn lesion on the series in {@code folder}: what pydicom reads, after dciodvfy. */
    private List<JsonNode> results(Path folder) throws Exception {
        assertThat(Pydicom.available()).as("python3-pydicom (./ctai test installs the real tools the tests need)").isTrue();
        assertThat(Dciodvfy.available()).as("dciodvfy (dicom3tools; ./ctai test installs it)").isTrue();
        Volume volume = AnalysedSeries.load(folder);
        List<byte[]> masks = new ArrayList<>();
        for (int i = 0; i < volume.sliceCount(); i++) {
            masks.add(i == 1 || i == 2 ? AnalysedSeries.disk(128, 128, 64, 64, 10) : new byte[128 * 128]);
        }
        Analysis analysis = AnalysedSeries.withMasks(volume, masks);
        Results results;
        try (Segmenter segmenter = AnalysedSeries.openDefaultModel()) {
            results = new ResultWriter(ResultOptions.defaults(), SrWriterTest.MODEL, segmenter.spec().labels().get(0),
                    Clock.systemUTC()).build(analysis);
        }
        List<Path> files = new ArrayList<>();
        for (ResultWriter.Written w : ResultWriter.write(results, dir.resolve("out-" + folder.getParent().getFileName()))) {
            Dciodvfy.Report report = Dciodvfy.check(w.file());
            assertThat(report.errors()).as("dciodvfy errors for %s:%n%s", w.file().getFileName(), report.output()).isEmpty();
            files.add(w.file());
        }
        List<JsonNode> read = new ArrayList<>();
        Pydicom.readObjects(files).forEach(read::add);
        assertThat(read).extracting(o -> o.get("sopClassUid").asText()).contains("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.7");
        return read;
    }

    private static Path transcode(Path from, Path to, String... command) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                List<String> c = new ArrayList<>();
                for (String part : command) c.add(part.replace("{in}", f.toString()).replace("{out}", to.resolve(f.getFileName()).toString()));
                run(c);
            }
        }
        return to;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
                .as("%s (./ctai test installs libgdcm-tools and dcmtk): %s", command, out).isTrue();
    }
}
