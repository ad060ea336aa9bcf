package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.measure.HuStatistics;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.measure.SliceMeasurement;
import org.ctai.inference.measure.TextureFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TID 1500 measurement report of a real analysis (phantom DICOM files, the default model, the real measurer),
 * checked by the tools that matter: dciodvfy, PixelMed's TID 1500 validator, DCMTK's dsrdump, PixelMed's SR reader
 * (round trip of every NUM) and the OHIF viewer's adapters. The SEG is referenced by a hand-made
 * {@link SegReference}; {@link ResultWriterSrTest} checks the SR against the real SEG.
 */
class SrWriterTest {

    static final ModelInfo MODEL = new ModelInfo("ctai-phantom-unet", "0123456789abcdef", "0.1.0-test");
    static final Equipment EQUIPMENT = Equipment.node(MODEL, "test-node");
    static final ZonedDateTime CREATED = ZonedDateTime.of(2024, 3, 1, 10, 30, 0, 0, ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static AnalysedPhantom phantom;
    static Map<Integer, LesionTracking> tracking;
    static SegReference seg;
    static AttributeList sr;
    static Path srFile;

    @BeforeAll
    static void writeReportOfAnalysedPhantom() throws Exception {
        phantom = AnalysedPhantom.create(9611, 2, dir.resolve("phantom"));
        assertThat(phantom.analysis().lesions()).as("the phantom's tumours are found").hasSizeBetween(1, 4);
        tracking = LesionTracking.assign(phantom.analysis().lesions());
        Map<Integer, Integer> segments = new LinkedHashMap<>();
        for (Lesion l : phantom.analysis().lesions()) segments.put(l.id(), l.id());
        seg = new SegReference(SOPClass.SegmentationStorage, CommonModules.newUid(), CommonModules.newUid(), segments);
        sr = writer().write(phantom.analysis(), Optional.of(seg), tracking, series(), CREATED);
        srFile = AnalysedPhantom.save(sr, dir.resolve("sr.dcm"));
    }

    @AfterAll
    static void closeModel() {
        if (phantom != null) phantom.segmenter().close();
    }

    static SrWriter writer() {
        return new SrWriter(MODEL, EQUIPMENT);
    }

    static CommonModules.Series series() {
        return new CommonModules.Series(CommonModules.newUid(), 9002, "CTAI Measurement Report");
    }

    @Test
    void dciodvfyReportsNoError() throws Exception {
        assertThat(Dciodvfy.available()).as("dicom3tools' dciodvfy is not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        Dciodvfy.Report report = Dciodvfy.check(srFile);
        assertThat(report.errors()).as(report.output()).isEmpty();
    }

    @Test
    void pixelmedTid1500ValidatorReportsNoError() throws Exception {
        String validation = SrTools.pixelmedValidate(sr);
        assertThat(validation).contains("Found Root Template TID_1500 (MeasurementReport)");
        assertThat(SrTools.errors(validation)).as(validation).isEmpty();
    }

    @Test
    void dsrdumpShowsTemplate1500() throws Exception {
        assertThat(SrTools.dsrdumpAvailable()).as("DCMTK's dsrdump is not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        String dump = SrTools.dsrdump(srFile);
        assertThat(dump).contains("Comprehensive SR").contains("Imaging Measurement Report")
                .contains("TID 1500 (DCMR)");
    }

    @Test
    void chinesePatientNameSurvivesAsUtf8() throws Exception {
        AttributeList read = read(srFile);
        assertThat(Attribute.getSingleStringValueOrNull(read, TagFromName.PatientName))
                .isEqualTo(AnalysedPhantom.CHINESE_PATIENT_NAME);
        assertThat(Attribute.getStringValues(read, TagFromName.SpecificCharacterSet)).containsExactly("ISO_IR 192");
    }

    @Test
    void everyNumberReadBackEqualsItsMeasurementWithItsUnit() throws Exception {
        Map<String, List<Num>> actual = numbersByGroup(read(srFile));
        Map<String, List<Num>> expected = new TreeMap<>();
        for (Lesion l : phantom.analysis().lesions()) {
            String id = tracking.get(l.id()).identifier();
            expected.put("volumetric " + id, volumetric(l));
            expected.put("planar " + id, planar(l));
        }
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (String group : expected.keySet()) {
            List<Num> got = actual.get(group);
            List<Num> want = expected.get(group);
            assertThat(got).as(group).hasSameSizeAs(want);
            for (int i = 0; i < want.size(); i++) {
                Num g = got.get(i), w = want.get(i);
                assertThat(g.key()).as(group + " item " + i).isEqualTo(w.key());
                assertThat(g.value()).as(group + " " + w.key() + " (Floating Point Value)").isEqualTo(w.value());
                assertThat(g.text()).as(group + " " + w.key() + " (Numeric Value, DS)").hasSizeLessThanOrEqualTo(16);
                assertThat(Double.parseDouble(g.text())).as(group + " " + w.key() + " (Numeric Value, DS)")
                        .isCloseTo(w.value(), within(1e-9 * Math.max(1, Math.abs(w.value()))));
            }
        }
    }

    @Test
    void evidenceListsEveryCtInstanceAndTheSeg() throws Exception {
        AttributeList read = read(srFile);
        SequenceAttribute evidence = (SequenceAttribute) read.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        assertThat(evidence.getNumberOfItems()).isEqualTo(1);
        AttributeList study = evidence.getItem(0).getAttributeList();
        assertThat(Attribute.getSingleStringValueOrNull(study, TagFromName.StudyInstanceUID))
                .isEqualTo(phantom.analysis().volume().studyInstanceUid());
        Map<String, List<String>> instancesBySeries = new LinkedHashMap<>();
        SequenceAttribute series = (SequenceAttribute) study.get(TagFromName.ReferencedSeriesSequence);
        for (int i = 0; i < series.getNumberOfItems(); i++) {
            AttributeList s = series.getItem(i).getAttributeList();
            List<String> sops = new ArrayList<>();
            SequenceAttribute refs = (SequenceAttribute) s.get(TagFromName.ReferencedSOPSequence);
            for (int j = 0; j < refs.getNumberOfItems(); j++) {
                sops.add(Attribute.getSingleStringValueOrNull(refs.getItem(j).getAttributeList(), TagFromName.ReferencedSOPInstanceUID));
            }
            instancesBySeries.put(Attribute.getSingleStringValueOrNull(s, TagFromName.SeriesInstanceUID), sops);
        }
        assertThat(instancesBySeries).containsOnlyKeys(phantom.analysis().volume().seriesInstanceUid(), seg.seriesInstanceUid());
        assertThat(instancesBySeries.get(phantom.analysis().volume().seriesInstanceUid())).containsExactlyElementsOf(
                phantom.analysis().volume().slices().stream().map(SliceInfo::sopInstanceUid).toList());
        assertThat(instancesBySeries.get(seg.seriesInstanceUid())).containsExactly(seg.sopInstanceUid());
    }

    @Test
    void volumetricGroupsPointAtTheirSegmentAndCarryTheSegmentsTracking() throws Exception {
        ContentItem measurements = ((ContentItem) new StructuredReport(read(srFile)).getRoot()).getNamedChild("DCM", "126010");
        for (Lesion l : phantom.analysis().lesions()) {
            LesionTracking t = tracking.get(l.id());
            ContentItem group = groups(measurements).stream()
                    .filter(g -> srTrackingIdentifier(t).equals(g.getSingleStringValueOrNullOfNamedChild("DCM", "112039")))
                    .filter(g -> g.getNamedChild("DCM", "121191") != null)
                    .findFirst().orElseThrow();
            assertThat(group.getSingleStringValueOrNullOfNamedChild("DCM", "112040")).isEqualTo(t.uid());
            ContentItemFactory.ImageContentItem segment = (ContentItemFactory.ImageContentItem) group.getNamedChild("DCM", "121191");
            assertThat(segment.getReferencedSOPInstanceUID()).isEqualTo(seg.sopInstanceUid());
            assertThat(segment.getReferencedSegmentNumber()).isEqualTo(seg.segmentNumberByLesionId().get(l.id()));
            assertThat(group.getSingleStringValueOrNullOfNamedChild("DCM", "121232"))
                    .isEqualTo(phantom.analysis().volume().seriesInstanceUid());
            assertThat(((ContentItemFactory.CodeContentItem) group.getNamedChild("DCM", "121071")).getConceptCode().getCodeValue())
                    .isEqualTo("108369006");
        }
    }

    /** Both SR groups of a lesion: Cornerstone3D's freehand ROI identifier, then the SEG segment's Tracking ID. */
    static String srTrackingIdentifier(LesionTracking t) {
        return ReportCodes.CORNERSTONE_FREEHAND_TRACKING_ID + ":" + t.identifier();
    }

    @Test
    void outlineIsAClosedPolylineAlongPixelEdgesOfTheLargestSlice() throws Exception {
        ContentItem measurements = ((ContentItem) new StructuredReport(read(srFile)).getRoot()).getNamedChild("DCM", "126010");
        Geometry g = phantom.analysis().volume().geometry();
        for (Lesion l : phantom.analysis().lesions()) {
            ContentItem group = groups(measurements).stream()
                    .filter(x -> tracking.get(l.id()).identifier().equals(x.getSingleStringValueOrNullOfNamedChild("DCM", "121106")))
                    .findFirst().orElseThrow();
            ContentItem region = group.getNamedChild("DCM", "111030");
            ContentItem insideArea = (ContentItem) group.getNamedChild("SCT", "42798000").getChildAt(0);
            assertThat(insideArea.getValueType()).isEqualTo("SCOORD");
            assertThat(insideArea.getRelationshipType()).isEqualTo("INFERRED FROM");
            for (ContentItem scoord : List.of(region, insideArea)) {
                assertThat(scoord.getGraphicType()).isEqualTo("POLYLINE");
                float[] xy = scoord.getGraphicData();
                assertThat(xy.length).isGreaterThanOrEqualTo(8);
                assertThat(xy[0]).isEqualTo(xy[xy.length - 2]);
                assertThat(xy[1]).isEqualTo(xy[xy.length - 1]);
                ContentItem image = (ContentItem) scoord.getChildAt(0);
                assertThat(image.getRelationshipType()).isEqualTo("SELECTED FROM");
                assertThat(image.getReferencedSOPInstanceUID())
                        .isEqualTo(phantom.analysis().volume().slices().get(l.largestAreaSlice()).sopInstanceUid());
                byte[] mask = phantom.analysis().lesionMask(l.largestAreaSlice(), l.id());
                for (int i = 0; i < xy.length; i += 2) {
                    // a vertex is a corner of a lesion pixel (PS3.3 C.18.6.1.2: (0,0) is the top left pixel's corner)
                    assertThat(xy[i]).isEqualTo((float) Math.rint(xy[i]));
                    assertThat(xy[i + 1]).isEqualTo((float) Math.rint(xy[i + 1]));
                    assertThat(lesionPixelsAroundCorner(mask, g.columns(), (int) xy[i], (int) xy[i + 1]))
                            .as("lesion pixels around vertex %d", i / 2).isBetween(1, 3);
                }
            }
            assertThat(region.getGraphicData()).isEqualTo(insideArea.getGraphicData());
        }
    }

    @Test
    void ohifAdaptersReadPlanarGroupsWithTheirAreaOnTheRightImage() throws Exception {
        assertThat(SrTools.adaptersAvailable()).as("node or the adapters are missing: npm ci --prefix sr-writer/src/test/js" + " (./ctai test installs the real tools the tests need)").isTrue();
        JsonNode read = new ObjectMapper().readTree(SrTools.readWithAdapters(srFile, phantom.files().directory().resolve("dicom")));
        Geometry g = phantom.analysis().volume().geometry();
        assertThat(read).hasSameSizeAs(phantom.analysis().lesions());
        for (Lesion l : phantom.analysis().lesions()) {
            String label = tracking.get(l.id()).identifier();
            JsonNode m = null;
            for (JsonNode n : read) if (label.equals(n.path("label").asText())) m = n;
            assertThat(m).as("annotation labelled %s in %s", label, read).isNotNull();
            SliceMeasurement largest = l.slices().stream().filter(s -> s.slice() == l.largestAreaSlice()).findFirst().orElseThrow();
            assertThat(m.get("toolType").asText()).isEqualTo("PlanarFreehandROI");
            assertThat(m.get("closed").asBoolean()).isTrue();
            assertThat(m.get("area").asDouble()).isCloseTo(largest.areaMm2(), within(1e-9 * largest.areaMm2()));
            assertThat(m.get("perimeter").asDouble()).isCloseTo(largest.perimeterMm(), within(1e-9 * largest.perimeterMm()));
            assertThat(m.get("referencedSopInstanceUid").asText())
                    .isEqualTo(phantom.analysis().volume().slices().get(l.largestAreaSlice()).sopInstanceUid());
            // the viewer puts the first vertex at a corner of a lesion pixel, in patient coordinates
            JsonNode first = m.get("polyline").get(0);
            Vector3 p = new Vector3(first.get(0).asDouble(), first.get(1).asDouble(), first.get(2).asDouble());
            Vector3 origin = g.slicePositions().get(l.largestAreaSlice());
            double column = p.minus(origin).dot(g.rowDirection()) / g.columnSpacingMm();
            double row = p.minus(origin).dot(g.columnDirection()) / g.rowSpacingMm();
            assertThat(column + 0.5).isCloseTo(Math.rint(column + 0.5), within(1e-3));
            assertThat(row + 0.5).isCloseTo(Math.rint(row + 0.5), within(1e-3));
            byte[] mask = phantom.analysis().lesionMask(l.largestAreaSlice(), l.id());
            // Cornerstone3D's patient coordinates are of pixel centres: its column c is the SCOORD's c + 0.5
            assertThat(lesionPixelsAroundCorner(mask, g.columns(), (int) Math.rint(column + 0.5), (int) Math.rint(row + 0.5)))
                    .isBetween(1, 3);
        }
    }

    /** How many of the four pixels that meet at pixel corner (x, y) are lesion (1, 2 or 3 on a boundary). */
    static int lesionPixelsAroundCorner(byte[] mask, int columns, int x, int y) {
        int rows = mask.length / columns, n = 0;
        for (int r = y - 1; r <= y; r++) {
            for (int c = x - 1; c <= x; c++) if (r >= 0 && c >= 0 && r < rows && c < columns && mask[r * columns + c] != 0) n++;
        }
        return n;
    }

    /**
     * Pins what docs/CONFORMANCE.md 3.3 says about OHIF's "Max: NaN": its reader keys NUMs by the Code Meaning of
     * their concept and ignores the Derivation modifier, so it finds no mean or maximum in the standard encoding
     * (Attenuation Coefficient + Derivation). When an adapters release reads the modifier this fails: then the
     * encoding can be reconsidered.
     */
    @Test
    void ohifsReaderFindsAreaButNotTheHuStatisticsOfTheStandardEncoding() throws Exception {
        assertThat(SrTools.adaptersAvailable()).as("node or the adapters are missing: npm ci --prefix sr-writer/src/test/js").isTrue();
        JsonNode read = new ObjectMapper().readTree(SrTools.readWithAdapters(srFile, phantom.files().directory().resolve("dicom")));
        assertThat(read).isNotEmpty();
        for (JsonNode m : read) {
            assertThat(m.get("area").isNull()).as("area of %s", m.get("label")).isFalse();
            assertThat(m.get("mean").isNull()).as("mean of %s", m.get("label")).isTrue();
            assertThat(m.get("max").isNull()).as("max of %s", m.get("label")).isTrue();
        }
    }

    @Test
    void everyMeasurementGroupHasAFindingSite() throws Exception {
        ContentItem measurements = ((ContentItem) new StructuredReport(read(srFile)).getRoot()).getNamedChild("DCM", "126010");
        List<ContentItem> groups = groups(measurements);
        assertThat(groups).hasSize(2 * phantom.analysis().lesions().size());
        for (ContentItem group : groups) {
            ContentItem site = group.getNamedChild("SCT", "363698007");
            assertThat(site).as("Finding Site in group %s", group.getSingleStringValueOrNullOfNamedChild("DCM", "112039")).isNotNull();
            assertThat(site.getRelationshipType()).isEqualTo("HAS CONCEPT MOD");
            assertThat(((ContentItemFactory.CodeContentItem) site).getConceptCode().getCodingSchemeDesignator()).isEqualTo("SCT");
        }
    }

    @Test
    void planarGroupCarriesTheTrackingUidOfItsLesion() throws Exception {
        ContentItem measurements = ((ContentItem) new StructuredReport(read(srFile)).getRoot()).getNamedChild("DCM", "126010");
        for (Lesion l : phantom.analysis().lesions()) {
            LesionTracking t = tracking.get(l.id());
            ContentItem planar = groups(measurements).stream()
                    .filter(g -> t.identifier().equals(g.getSingleStringValueOrNullOfNamedChild("DCM", "121106")))
                    .findFirst().orElseThrow();
            assertThat(planar.getSingleStringValueOrNullOfNamedChild("DCM", "112040")).isEqualTo(t.uid());
        }
    }

    @Test
    void standardConceptsUseStandardCodesAndDciodvfyWarnsOnlyAboutTheRemainingPrivateOnes() throws Exception {
        List<String> privateCodes = new ArrayList<>();
        collectCodes((ContentItem) new StructuredReport(read(srFile)).getRoot(), ReportCodes.PRIVATE_SCHEME, privateCodes);
        List<String> noStandardCode = new ArrayList<>(List.of("CENTROID_X", "CENTROID_Y", "CENTROID_Z", "ROUNDNESS"));
        for (int i = 1; i <= 15; i++) noStandardCode.add(String.format("GLGCM_T%02d", i));
        assertThat(privateCodes).as("concepts coded in %s", ReportCodes.PRIVATE_SCHEME).isSubsetOf(noStandardCode);

        Dciodvfy.Report report = Dciodvfy.check(srFile);
        assertThat(report.warnings()).as(report.output())
                .allMatch(w -> w.contains("Unrecognized defined term <" + ReportCodes.PRIVATE_SCHEME + ">"));
        // each private concept used, and the scheme's own entry in the Coding Scheme Identification Sequence
        assertThat(report.warnings()).hasSize(privateCodes.size() + 1);
    }

    @Test
    void ohifMergedMeasurementsHaveOneTrackingUidPerLesionWithAreaPerimeterHuAndAnOutlineOnACtImage() throws Exception {
        assertThat(SrTools.adaptersAvailable()).as("node or dcmjs are missing: npm ci --prefix sr-writer/src/test/js").isTrue();
        JsonNode byUid = new ObjectMapper().readTree(
                SrTools.measurementsByTrackingUid(srFile, phantom.files().directory().resolve("dicom")));
        List<String> uids = new ArrayList<>();
        byUid.fieldNames().forEachRemaining(uids::add);
        assertThat(uids).as("one merged measurement per lesion, and none without a lesion")
                .containsExactlyInAnyOrderElementsOf(tracking.values().stream().map(LesionTracking::uid).toList());
        for (Lesion l : phantom.analysis().lesions()) {
            JsonNode m = byUid.get(tracking.get(l.id()).uid());
            SliceMeasurement largest = l.slices().stream().filter(s -> s.slice() == l.largestAreaSlice()).findFirst().orElseThrow();
            assertThat(m.get("scoords")).as("geometry of %s", m).isNotEmpty();
            assertThat(m.get("scoords").get(0).get("referencedSopInstanceUid").asText())
                    .isEqualTo(phantom.analysis().volume().slices().get(l.largestAreaSlice()).sopInstanceUid());
            for (JsonNode scoord : m.get("scoords")) {
                assertThat(scoord.get("referencedSopInstanceUid").asText()).as("SCOORD on a CT image")
                        .isIn(phantom.analysis().volume().slices().stream().map(SliceInfo::sopInstanceUid).toList());
            }
            assertThat(numValue(m, "SCT:42798000", null)).isCloseTo(largest.areaMm2(), within(1e-6 * largest.areaMm2()));
            assertThat(numValue(m, "SCT:131191004", null)).isCloseTo(largest.perimeterMm(), within(1e-6 * largest.perimeterMm()));
            // the planar group comes first in the merge: its numbers are those of the largest slice
            assertThat(numValue(m, "DCM:112031", "373098007")).isCloseTo(largest.hu().meanHu(), within(1e-6 * Math.max(1, Math.abs(largest.hu().meanHu()))));
            for (JsonNode num : m.get("nums")) {
                assertThat(num.get("value").isNull()).as("NUM without a value in %s", m).isFalse();
            }
        }
    }

    @Test
    void planarGroupOutlinesEveryPieceAndHoleOfTheLesionOnItsSlice() throws Exception {
        Analysis a = phantom.analysis();
        Geometry g = a.volume().geometry();
        Lesion l = a.lesions().get(0);
        int slice = l.largestAreaSlice();
        short[] labels = a.lesionLabels().get(slice).clone();
        // a 3 x 3 hole where the lesion is at least 7 pixels wide, and a 3 x 3 second piece in the empty corner
        int[] centre = interiorPixel(labels, g.columns(), l.id(), 3);
        for (int r = -1; r <= 1; r++) for (int c = -1; c <= 1; c++) labels[(centre[0] + r) * g.columns() + centre[1] + c] = 0;
        for (int r = 2; r < 5; r++) for (int c = 2; c < 5; c++) {
            assertThat(labels[r * g.columns() + c]).as("the corner is empty").isZero();
            labels[r * g.columns() + c] = (short) l.id();
        }
        Map<Integer, short[]> changed = new TreeMap<>(a.lesionLabels());
        changed.put(slice, labels);
        Analysis withHole = new Analysis(a.volume(), a.lesions(), changed, a.segmentation(), a.measurement());
        AttributeList report = writer().write(withHole, Optional.of(seg), tracking, series(), CREATED);
        Path file = AnalysedPhantom.save(report, dir.resolve("sr-hole.dcm"));

        ContentItem measurements = ((ContentItem) new StructuredReport(read(file)).getRoot()).getNamedChild("DCM", "126010");
        ContentItem planar = groups(measurements).stream()
                .filter(x -> tracking.get(l.id()).identifier().equals(x.getSingleStringValueOrNullOfNamedChild("DCM", "121106")))
                .findFirst().orElseThrow();
        List<ContourTracer.Outline> regions = new ArrayList<>();
        for (int i = 0; i < planar.getChildCount(); i++) {
            ContentItem c = (ContentItem) planar.getChildAt(i);
            if (c.contentItemNameMatchesCodeValueAndCodingSchemeDesignator("111030", "DCM")) {
                assertThat(((ContentItem) c.getChildAt(0)).getReferencedSOPInstanceUID())
                        .isEqualTo(a.volume().slices().get(slice).sopInstanceUid());
                regions.add(new ContourTracer.Outline(c.getGraphicData(), false));
            }
        }
        assertThat(regions).as("lesion, its hole, its second piece").hasSize(3);
        assertThat(ContourTracerTest.insideCount(regions, centre[1] + 0.5, centre[0] + 0.5)).as("hole: even, outside").isEqualTo(2);
        assertThat(ContourTracerTest.insideCount(regions, 3.5, 3.5)).as("second piece").isEqualTo(1);
        assertThat(Dciodvfy.check(file).errors()).isEmpty();
    }

    /** A pixel of the lesion whose (2 margin + 1)-square neighbourhood is all lesion: {row, column}. */
    static int[] interiorPixel(short[] labels, int columns, int lesionId, int margin) {
        int rows = labels.length / columns;
        for (int r = margin; r < rows - margin; r++) {
            for (int c = margin; c < columns - margin; c++) {
                boolean inside = true;
                for (int dr = -margin; dr <= margin && inside; dr++) {
                    for (int dc = -margin; dc <= margin && inside; dc++) inside = labels[(r + dr) * columns + c + dc] == lesionId;
                }
                if (inside) return new int[] {r, c};
            }
        }
        throw new AssertionError("lesion " + lesionId + " has no interior pixel " + margin + " pixels from its border");
    }

    /** The first NUM of a merged measurement with that concept (scheme:value) and derivation. */
    static double numValue(JsonNode measurement, String concept, String derivation) {
        for (JsonNode num : measurement.get("nums")) {
            boolean sameDerivation = derivation == null ? num.get("derivation").isNull() : derivation.equals(num.get("derivation").asText());
            if (concept.equals(num.get("concept").asText()) && sameDerivation) return num.get("value").asDouble();
        }
        throw new AssertionError("no NUM " + concept + " / " + derivation + " in " + measurement);
    }

    static void collectCodes(ContentItem item, String scheme, List<String> codes) {
        if (scheme.equals(item.getConceptNameCodingSchemeDesignator())) codes.add(item.getConceptNameCodeValue());
        for (int i = 0; i < item.getChildCount(); i++) collectCodes((ContentItem) item.getChildAt(i), scheme, codes);
    }

    @Test
    void refusesALesionWithoutTrackingOrSegment() {
        Map<Integer, Integer> noSegments = Map.of();
        SegReference emptySeg = new SegReference(seg.sopClassUid(), seg.sopInstanceUid(), seg.seriesInstanceUid(), noSegments);
        assertThatThrownBy(() -> writer().write(phantom.analysis(), Optional.of(seg), Map.of(), series(), CREATED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tracking");
        assertThatThrownBy(() -> writer().write(phantom.analysis(), Optional.of(emptySeg), tracking, series(), CREATED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no segment in SEG");
    }

    static List<ContentItem> groups(ContentItem measurements) {
        List<ContentItem> groups = new ArrayList<>();
        for (int i = 0; i < measurements.getChildCount(); i++) {
            ContentItem c = (ContentItem) measurements.getChildAt(i);
            if (c.contentItemNameMatchesCodeValueAndCodingSchemeDesignator("125007", "DCM")) groups.add(c);
        }
        return groups;
    }

    // ---- reading the report back with PixelMed ----

    /** One NUM: concept, derivation modifier (or "-"), unit, exact value and its DS text. */
    record Num(String concept, String derivation, String unit, double value, String text) {
        String key() {
            return concept + " / " + derivation + " [" + unit + "]";
        }
    }

    static Num expect(String concept, String derivation, String unit, double value) {
        return new Num(concept, derivation, unit, value, "");
    }

    static AttributeList read(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        return list;
    }

    /** NUMs of each measurement group, keyed "volumetric Tumour 1" / "planar Tumour 1" (the planar group's Comment). */
    static Map<String, List<Num>> numbersByGroup(AttributeList list) throws Exception {
        ContentItem root = (ContentItem) new StructuredReport(list).getRoot();
        ContentItem measurements = root.getNamedChild("DCM", "126010");
        assertThat(measurements).as("Imaging Measurements container").isNotNull();
        Map<String, List<Num>> groups = new TreeMap<>();
        for (int i = 0; i < measurements.getChildCount(); i++) {
            ContentItem group = (ContentItem) measurements.getChildAt(i);
            if (!group.contentItemNameMatchesCodeValueAndCodingSchemeDesignator("125007", "DCM")) continue;
            String tracking = group.getSingleStringValueOrNullOfNamedChild("DCM", "112039");
            String name = tracking.substring(tracking.lastIndexOf(':') + 1);
            // planar groups have Image Regions (the outlines), volumetric ones not
            String key = (group.getNamedChild("DCM", "111030") != null ? "planar " : "volumetric ") + name;
            List<Num> nums = new ArrayList<>();
            for (int j = 0; j < group.getChildCount(); j++) {
                if (group.getChildAt(j) instanceof ContentItemFactory.NumericContentItem n) nums.add(num(n));
            }
            groups.put(key, nums);
        }
        return groups;
    }

    static Num num(ContentItemFactory.NumericContentItem n) {
        ContentItem derivation = n.getNamedChild("DCM", "121401");
        String derivationCode = derivation == null ? "-"
                : ((ContentItemFactory.CodeContentItem) derivation).getConceptCode().getCodeValue();
        assertThat(n.hasFloatingPointValue()).as(n.getConceptNameCodeMeaning()).isTrue();
        return new Num(n.getConceptNameCodeValue(), derivationCode, n.getUnits().getCodeValue(),
                n.getFloatingPointValue(), n.getNumericValue());
    }

    // ---- what each group must hold: the specification of the round trip ----

    static List<Num> volumetric(Lesion l) {
        List<Num> nums = new ArrayList<>();
        nums.add(expect("118565006", "-", "mm3", l.volumeMm3()));
        nums.addAll(attenuation(l.hu()));
        nums.add(expect("42798000", "56851009", "mm2", l.largestAreaMm2()));
        nums.add(expect("103339001", "-", "mm", l.longestDiameterMm()));
        nums.add(expect("103340004", "-", "mm", l.shortAxisMm()));
        nums.addAll(centroid(l.centroidMm()));
        return nums;
    }

    static List<Num> planar(Lesion l) {
        SliceMeasurement m = l.slices().stream().filter(s -> s.slice() == l.largestAreaSlice()).findFirst().orElseThrow();
        List<Num> nums = new ArrayList<>();
        nums.add(expect("42798000", "-", "mm2", m.areaMm2()));
        nums.add(expect("131191004", "-", "mm", m.perimeterMm()));
        nums.add(expect("103339001", "-", "mm", m.longestDiameterMm()));
        nums.add(expect("103340004", "-", "mm", m.shortAxisMm()));
        nums.add(expect("131187009", "-", "mm", m.majorAxisMm()));
        nums.add(expect("131188004", "-", "mm", m.minorAxisMm()));
        nums.add(expect("ROUNDNESS", "-", "{ratio}", m.roundness()));
        nums.addAll(attenuation(m.hu()));
        nums.addAll(centroid(m.centroidMm()));
        TextureFeatures t = m.texture();
        double[] texture = {t.smallGradientDominance(), t.largeGradientDominance(), t.grayLevelNonUniformity(),
                t.gradientNonUniformity(), t.energy(), t.grayMean(), t.gradientMean(), t.grayStandardDeviation(),
                t.gradientStandardDeviation(), t.correlation(), t.grayEntropy(), t.gradientEntropy(),
                t.mixedEntropy(), t.inertia(), t.inverseDifferenceMoment()};
        for (int i = 0; i < texture.length; i++) {
            nums.add(expect(String.format("GLGCM_T%02d", i + 1), "-", "1", texture[i]));
        }
        return nums;
    }

    static List<Num> attenuation(HuStatistics hu) {
        return List.of(
                expect("112031", "373098007", "[hnsf'U]", hu.meanHu()),
                expect("112031", "255605001", "[hnsf'U]", hu.minHu()),
                expect("112031", "56851009", "[hnsf'U]", hu.maxHu()),
                expect("112031", "386136009", "[hnsf'U]", hu.standardDeviationHu()),
                expect("112031", "373099004", "[hnsf'U]", hu.medianHu()),
                expect("112031", "126051", "1", hu.skewness()),
                // PS3.16's Kurtosis is the fourth standardised moment, as HuStatistics.kurtosis is
                expect("112031", "126052", "1", hu.kurtosis()));
    }

    static List<Num> centroid(Vector3 c) {
        return List.of(expect("CENTROID_X", "-", "mm", c.x()), expect("CENTROID_Y", "-", "mm", c.y()),
                expect("CENTROID_Z", "-", "mm", c.z()));
    }
}
