package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.measure.Lesion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results as readers we did not write see them (pydicom here, scripts in src/test/python; highdicom is not
 * obtainable on our build machines, so the attributes it relies on are checked with pydicom): measurement groups
 * that name their template, share one tracking per lesion and identify the algorithm; outlines that enclose the
 * reported area; the same kurtosis in the SR as in the history; SEG source references that preserve spatial
 * locations.
 */
class ResultsReadByOthersTest {

    @TempDir
    static Path dir;
    static AnalysedPhantom phantom;
    static Path srFile;
    static Path segFile;

    @BeforeAll
    static void writeResults() throws Exception {
        assertThat(Pydicom.available()).as("python3-pydicom (./ctai test installs the real tools the tests need)").isTrue();
        phantom = AnalysedPhantom.create(9617, 2, dir.resolve("phantom"));
        assertThat(phantom.analysis().lesions()).as("the phantom's tumours are found").isNotEmpty();
        List<ResultWriter.Written> written = ResultWriter.write(writer().build(phantom.analysis()), dir.resolve("out"));
        for (ResultWriter.Written w : written) {
            if (w.kind() == ResultWriter.Written.Kind.SR) srFile = w.file();
            if (w.kind() == ResultWriter.Written.Kind.SEG) segFile = w.file();
        }
    }

    @AfterAll
    static void closeModel() {
        if (phantom != null) phantom.segmenter().close();
    }

    static ResultWriter writer() {
        return new ResultWriter(ResultOptions.defaults().withOverlays(false), SrWriterTest.MODEL,
                phantom.segmenter().spec().labels().get(0), Clock.fixed(Instant.parse("2024-03-01T10:30:00Z"), ZoneOffset.UTC));
    }

    static List<JsonNode> groups(Path sr) throws Exception {
        List<JsonNode> groups = new ArrayList<>();
        Pydicom.readReport(sr).get("groups").forEach(groups::add);
        return groups;
    }

    @Test
    void everyMeasurementGroupNamesItsTemplateInItsContentTemplateSequence() throws Exception {
        List<JsonNode> groups = groups(srFile);
        assertThat(groups).hasSize(2 * phantom.analysis().lesions().size());
        for (JsonNode g : groups) {
            assertThat(g.get("mappingResource").asText()).as("Mapping Resource of %s", g).isEqualTo("DCMR");
            // planar groups carry the outlines, volumetric ones the SEG segment
            String expected = g.get("regions").asInt() > 0 ? "1410" : "1411";
            assertThat(g.get("template").asText()).as("Template Identifier of %s", g).isEqualTo(expected);
            if (expected.equals("1411")) assertThat(g.get("referencedSegment").isNull()).isFalse();
        }
    }

    @Test
    void aLesionsPlanarAndVolumetricGroupsShareTrackingUidAndTrackingIdentifier() throws Exception {
        Map<String, List<JsonNode>> byUid = new TreeMap<>();
        for (JsonNode g : groups(srFile)) byUid.computeIfAbsent(g.get("trackingUid").asText(), k -> new ArrayList<>()).add(g);
        assertThat(byUid).hasSize(phantom.analysis().lesions().size());
        for (List<JsonNode> lesion : byUid.values()) {
            assertThat(lesion).extracting(g -> g.get("template").asText()).containsExactlyInAnyOrder("1410", "1411");
            assertThat(lesion.get(0).get("trackingIdentifier").asText()).as("tracking identifiers of one lesion")
                    .isEqualTo(lesion.get(1).get("trackingIdentifier").asText());
        }
    }

    @Test
    void everyMeasurementGroupIdentifiesTheAlgorithmByTid4019() throws Exception {
        for (JsonNode g : groups(srFile)) {
            Map<String, String> algorithm = new HashMap<>();
            for (JsonNode a : g.get("algorithm")) {
                assertThat(a.get("relationship").asText()).as("relationship of %s", a).isEqualTo("HAS CONCEPT MOD");
                algorithm.put(a.get("concept").asText(), a.get("value").asText());
            }
            assertThat(algorithm).as("TID 4019 in %s", g).containsEntry("DCM:111001", SrWriterTest.MODEL.name())
                    .containsEntry("DCM:111003", SrWriterTest.MODEL.version());
        }
    }

    @Test
    void theOutlinesEncloseTheReportedAreaWithinOnePercent() throws Exception {
        Geometry geometry = phantom.analysis().volume().geometry();
        double pixelMm2 = geometry.rowSpacingMm() * geometry.columnSpacingMm();
        int planar = 0;
        for (JsonNode g : groups(srFile)) {
            if (g.get("regions").asInt() == 0) continue; // planar groups have the outlines
            planar++;
            double area = g.get("area").asDouble();
            double enclosed = g.get("regionsArea").asDouble() * pixelMm2;
            System.out.printf("lesion %s: Area %.2f mm2, enclosed by its Image Regions %.2f mm2, by the outline OHIF draws %.2f mm2%n",
                    g.get("trackingIdentifier").asText(), area, enclosed, g.get("inferredArea").asDouble() * pixelMm2);
            assertThat(enclosed).as("area inside the outlines of %s", g).isCloseTo(area, within(0.01 * area));
            if (g.get("regions").asInt() == 1) {
                assertThat(g.get("inferredArea").asDouble() * pixelMm2).as("area inside the outline OHIF draws")
                        .isCloseTo(area, within(0.01 * area));
            }
        }
        assertThat(planar).isEqualTo(phantom.analysis().lesions().size());
    }

    @Test
    void holesAndSecondPiecesCountAsTheAreaCountsThem() throws Exception {
        Analysis a = phantom.analysis();
        Geometry g = a.volume().geometry();
        Lesion l = a.lesions().get(0);
        int slice = l.largestAreaSlice();
        short[] labels = a.lesionLabels().get(slice).clone();
        int[] centre = SrWriterTest.interiorPixel(labels, g.columns(), l.id(), 3);
        for (int r = -1; r <= 1; r++) for (int c = -1; c <= 1; c++) labels[(centre[0] + r) * g.columns() + centre[1] + c] = 0;
        for (int r = 2; r < 5; r++) for (int c = 2; c < 5; c++) labels[r * g.columns() + c] = (short) l.id();
        Map<Integer, short[]> changed = new TreeMap<>(a.lesionLabels());
        changed.put(slice, labels);
        Analysis withHole = new Analysis(a.volume(), a.lesions(), changed, a.segmentation(), a.measurement());
        long pixels = 0;
        for (short s : labels) if (s == l.id()) pixels++;
        Map<Integer, Integer> segments = new HashMap<>();
        for (Lesion x : a.lesions()) segments.put(x.id(), x.id());
        AttributeList report = SrWriterTest.writer().write(withHole, Optional.of(new SegReference(
                        com.pixelmed.dicom.SOPClass.SegmentationStorage, CommonModules.newUid(), CommonModules.newUid(), segments)),
                LesionTracking.assign(a.lesions()), SrWriterTest.series(), SrWriterTest.CREATED);
        Path file = AnalysedPhantom.save(report, dir.resolve("sr-hole.dcm"));
        JsonNode planar = groups(file).stream().filter(x -> x.get("regions").asInt() == 3).findFirst().orElseThrow();
        // the lesion's pixels on that slice, as the Area NUM counts them
        assertThat(planar.get("regionsArea").asDouble()).as("pixels inside piece minus hole plus second piece")
                .isCloseTo(pixels, within(0.01 * pixels));
    }

    @Test
    void theReportsKurtosisIsTheNumberTheHistoryKeeps() throws Exception {
        // the history stores each lesion as the node's result JSON serialises it (InferenceProcessor: Jackson)
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> groups = groups(srFile);
        for (Lesion l : phantom.analysis().lesions()) {
            JsonNode history = json.valueToTree(l);
            JsonNode volumetric = groups.stream()
                    .filter(g -> !g.get("referencedSegment").isNull() && g.get("referencedSegment").asInt() == segmentOf(l))
                    .findFirst().orElseThrow();
            assertThat(history.path("hu").path("kurtosis").isNumber()).as("kurtosis in the history's lesion %s", history.get("hu")).isTrue();
            assertThat(volumetric.get("kurtosis").asDouble()).as("SR kurtosis of lesion %d", l.id())
                    .isCloseTo(history.get("hu").get("kurtosis").asDouble(), within(1e-9));
        }
    }

    /** The SEG numbers segments 1, 2, ... in lesion order. */
    private static int segmentOf(Lesion l) {
        return phantom.analysis().lesions().indexOf(l) + 1;
    }

    @Test
    void segSourceImageReferencesPreserveSpatialLocations() throws Exception {
        JsonNode seg = Pydicom.readObjects(List.of(segFile)).get(0);
        List<String> preserved = new ArrayList<>();
        seg.get("spatialLocationsPreserved").forEach(v -> preserved.add(v.isNull() ? null : v.asText()));
        assertThat(preserved).as("Spatial Locations Preserved of every frame's source image").isNotEmpty().containsOnly("YES");
        assertThat(Dciodvfy.check(segFile).errors()).isEmpty();
    }
}
