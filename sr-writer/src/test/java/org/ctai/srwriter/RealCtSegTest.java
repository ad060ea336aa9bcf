package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SEG and overlays for three real CT slices (GE LightSpeed, from dcmqi's test data in ../shared/testdata; skipped
 * when absent). The phantom-trained model may find nothing there; then two hand-drawn lesions, measured by the
 * real measurer, stand in for its output.
 */
class RealCtSegTest {

    /** Warnings dciodvfy gives for what we copy faithfully from these CT files, or cannot know. */
    static final List<String> JUSTIFIED_WARNINGS = List.of(
            // the source's Patient's Name "JANCT000" has no '^': copied as it is, never rewritten
            "Warning - Value dubious for this VR - (0x0010,0x0010) PN Patient's Name  PN [1] = <JANCT000> - Retired Person Name form",
            // the source has no Body Part Examined, so whether Laterality applies is unknown: Type 2C sent empty
            "Warning - is only permitted to be empty when actually unknown; should be absent (not empty) if an unpaired body part, and have a value if a paired body part - attribute <Laterality>");

    @TempDir
    static Path dir;
    static Volume volume;
    static Analysis analysis;
    static boolean handDrawn;
    static Results results;
    static Path segFile;
    static List<Path> overlayFiles;

    @BeforeAll
    static void analyseAndWrite() throws Exception {
        Optional<Path> folder = testData();
        assumeTrue(folder.isPresent(), "../shared/testdata/dcmqi-ct3slice absent");
        List<Path> cts = List.of(folder.get().resolve("ct-01.dcm"), folder.get().resolve("ct-02.dcm"), folder.get().resolve("ct-03.dcm"));
        AttributeList first = new AttributeList();
        first.read(cts.get(0).toFile());
        volume = new SeriesLoader().load(cts, Attribute.getSingleStringValueOrEmptyString(first, TagFromName.SeriesInstanceUID))
                .volumeOrThrow();
        try (Segmenter segmenter = AnalysedSeries.openDefaultModel()) {
            analysis = AnalysedSeries.analyse(segmenter, volume);
            if (analysis.lesions().isEmpty()) {
                handDrawn = true;
                int rows = volume.geometry().rows(), columns = volume.geometry().columns();
                List<byte[]> masks = new ArrayList<>();
                for (int s = 0; s < volume.sliceCount(); s++) {
                    byte[] mask = AnalysedSeries.disk(rows, columns, 250, 170, s == 1 ? 22 : 16);
                    if (s == 1) {
                        byte[] small = AnalysedSeries.disk(rows, columns, 300, 340, 7);
                        for (int i = 0; i < mask.length; i++) mask[i] |= small[i];
                    }
                    masks.add(mask);
                }
                analysis = AnalysedSeries.withMasks(volume, masks);
            }
            ResultWriter writer = new ResultWriter(ResultOptions.defaults(), ModelInfo.of(segmenter, "0.1.0-test"),
                    segmenter.spec().labels().get(0), Clock.systemUTC());
            results = writer.build(analysis);
        }
        assertThat(analysis.lesions()).isNotEmpty();
        List<Path> files = ResultWriter.write(results, dir).stream().map(ResultWriter.Written::file).toList();
        segFile = files.stream().filter(p -> p.getFileName().toString().startsWith("SEG-")).findFirst().orElseThrow();
        overlayFiles = files.stream().filter(p -> p.getFileName().toString().startsWith("SC-")).toList();
    }

    @AfterAll
    static void report() {
        if (analysis != null) {
            System.out.println("real CT: " + analysis.lesions().size() + " lesions" + (handDrawn ? " (hand-drawn)" : " (model)"));
        }
    }

    static Optional<Path> testData() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/testdata/dcmqi-ct3slice");
            if (Files.isRegularFile(candidate.resolve("ct-01.dcm"))) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    @Test
    void segAndOverlaysPassDciodvfyWithOnlyJustifiedWarnings() throws Exception {
        assertThat(Dciodvfy.available()).as("dciodvfy (dicom3tools) not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        assertThat(overlayFiles).hasSize(analysis.lesions().size());
        for (Path file : Stream.concat(Stream.of(segFile), overlayFiles.stream()).toList()) {
            Dciodvfy.Report report = Dciodvfy.check(file);
            assertThat(report.errors()).as("dciodvfy errors for %s:%n%s", file.getFileName(), report.output()).isEmpty();
            assertThat(report.warnings()).as("dciodvfy warnings for %s", file.getFileName()).isSubsetOf(JUSTIFIED_WARNINGS);
        }
    }

    @Test
    void pydicomReadsOurMasksOnTheRightSourceSlices() throws Exception {
        assertThat(SegReaders.python().isPresent()).as("python3 with pydicom and numpy not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        SegReaders.PydicomSeg read = SegReaders.pydicom(segFile, volume.geometry().rows(), volume.geometry().columns());
        Map<Integer, Integer> segmentByLesion = results.seg().orElseThrow().reference().segmentNumberByLesionId();
        int expectedFrames = 0;
        for (var lesion : analysis.lesions()) {
            for (int slice : analysis.lesionLabels().keySet()) {
                if (SegWriterTest.count(analysis.lesionMask(slice, lesion.id())) > 0) expectedFrames++;
            }
        }
        assertThat(read.frames()).hasSize(expectedFrames);
        for (SegReaders.PydicomFrame frame : read.frames()) {
            int slice = sliceOf(frame.referencedSopInstanceUid());
            int lesionId = segmentByLesion.entrySet().stream().filter(e -> e.getValue() == frame.segmentNumber())
                    .findFirst().orElseThrow().getKey();
            assertThat(frame.mask()).isEqualTo(analysis.lesionMask(slice, lesionId));
        }
        assertThat(read.patientName()).isEqualTo("JANCT000");
    }

    @Test
    void ohifAdaptersCountOurVoxelsOnTheSameSourceImages() throws Exception {
        assertThat(SegReaders.ohifAdaptersInstalled()).as("node or src/test/js/node_modules missing: npm ci --prefix sr-writer/src/test/js" + " (./ctai test installs the real tools the tests need)").isTrue();
        SegReaders.OhifSeg read = SegReaders.ohif(segFile, volume.slices().stream().map(SliceInfo::file).toList());
        Map<Integer, Integer> segmentByLesion = results.seg().orElseThrow().reference().segmentNumberByLesionId();
        for (var lesion : analysis.lesions()) {
            Map<String, Integer> expected = new HashMap<>();
            for (int slice : analysis.lesionLabels().keySet()) {
                int count = SegWriterTest.count(analysis.lesionMask(slice, lesion.id()));
                if (count > 0) expected.put(volume.slices().get(slice).sopInstanceUid(), count);
            }
            assertThat(read.voxelsBySop().get(segmentByLesion.get(lesion.id()))).isEqualTo(expected);
        }
    }

    static int sliceOf(String sopInstanceUid) {
        for (int s = 0; s < volume.sliceCount(); s++) if (volume.slices().get(s).sopInstanceUid().equals(sopInstanceUid)) return s;
        throw new AssertionError("no slice " + sopInstanceUid);
    }
}
