package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;

import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Volume;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SEG and overlays of a phantom series analysed by the bundled model, checked with the real readers: dciodvfy,
 * PixelMed, pydicom and the OHIF viewer's adapters. The patient has a Chinese name written as ISO_IR 192.
 */
class SegWriterTest {

    static final String CHINESE_NAME = "王^小明";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T05:06:07.890Z"), ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static Segmenter segmenter;
    static Volume volume;
    static Analysis analysis;
    static Results results;
    static Path segFile;
    static List<Path> overlayFiles;
    static AttributeList seg;

    @BeforeAll
    static void analyseAndWrite() throws Exception {
        // seed 9502, 3 tumours: three lesions on 10 slices of 256 x 256
        volume = AnalysedSeries.phantom(PhantomSpec.of(9502).withSlices(10).withSize(256).withTumours(3)
                .withPatient(CHINESE_NAME, "CTAI-9502"), dir.resolve("phantom"));
        segmenter = AnalysedSeries.openDefaultModel();
        analysis = AnalysedSeries.analyse(segmenter, volume);
        assertThat(analysis.lesions()).as("lesions the model finds in phantom 9502").hasSizeGreaterThanOrEqualTo(2);
        ResultWriter writer = new ResultWriter(ResultOptions.defaults(), ModelInfo.of(segmenter, "0.1.0-test"),
                segmenter.spec().labels().get(0), CLOCK);
        results = writer.build(analysis);
        List<Path> files = ResultWriter.write(results, dir.resolve("out")).stream().map(ResultWriter.Written::file).toList();
        segFile = files.stream().filter(p -> p.getFileName().toString().startsWith("SEG-")).findFirst().orElseThrow();
        overlayFiles = files.stream().filter(p -> p.getFileName().toString().startsWith("SC-")).toList();
        seg = new AttributeList();
        seg.read(segFile.toFile());
    }

    @AfterAll
    static void close() {
        if (segmenter != null) segmenter.close();
    }

    @Test
    void segAndOverlaysPassDciodvfyWithoutErrorsOrWarnings() throws Exception {
        assertThat(Dciodvfy.available()).as("dciodvfy (dicom3tools) not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        assertThat(overlayFiles).hasSize(analysis.lesions().size());
        for (Path file : Stream.concat(Stream.of(segFile), overlayFiles.stream()).toList()) {
            Dciodvfy.Report report = Dciodvfy.check(file);
            assertThat(report.errors()).as("dciodvfy errors for %s:%n%s", file.getFileName(), report.output()).isEmpty();
            assertThat(report.warnings()).as("dciodvfy warnings for %s:%n%s", file.getFileName(), report.output()).isEmpty();
        }
    }

    @Test
    void segHasOneSegmentPerLesionWithTheModelsCodesAlgorithmAndTracking() {
        SegResult result = results.seg().orElseThrow();
        SequenceAttribute segments = (SequenceAttribute) seg.get(TagFromName.SegmentSequence);
        assertThat(segments.getNumberOfItems()).isEqualTo(analysis.lesions().size());
        for (int i = 0; i < analysis.lesions().size(); i++) {
            int lesionId = analysis.lesions().get(i).id();
            AttributeList item = segments.getItem(i).getAttributeList();
            LesionTracking tracking = result.trackingByLesionId().get(lesionId);
            assertThat(result.reference().segmentNumberByLesionId()).containsEntry(lesionId, i + 1);
            assertThat(integer(item, TagFromName.SegmentNumber)).isEqualTo(i + 1);
            assertThat(string(item, TagFromName.SegmentLabel)).isEqualTo("Tumour " + lesionId).isEqualTo(tracking.identifier());
            assertThat(string(item, new AttributeTag(0x0062, 0x0020))).isEqualTo(tracking.identifier());
            assertThat(string(item, new AttributeTag(0x0062, 0x0021))).isEqualTo(tracking.uid());
            assertThat(code(item, TagFromName.SegmentedPropertyCategoryCodeSequence)).isEqualTo("SCT:49755003:Morphologically abnormal structure");
            assertThat(code(item, TagFromName.SegmentedPropertyTypeCodeSequence)).isEqualTo("SCT:108369006:Neoplasm");
            assertThat(string(item, TagFromName.SegmentAlgorithmType)).isEqualTo("AUTOMATIC");
            AttributeList algorithm = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, new AttributeTag(0x0062, 0x0007));
            assertThat(code(algorithm, new AttributeTag(0x0066, 0x002F))).isEqualTo("DCM:123110:Artificial Intelligence");
            assertThat(string(algorithm, new AttributeTag(0x0066, 0x0036))).isEqualTo("ctai-phantom-unet.onnx");
            assertThat(string(algorithm, new AttributeTag(0x0066, 0x0031))).matches("sha256:[0-9a-f]{16}")
                    .isEqualTo("sha256:" + segmenter.modelSha256().substring(0, 16));
            assertThat(Attribute.getIntegerValues(item, TagFromName.RecommendedDisplayCIELabValue)).hasSize(3);
        }
        assertThat(result.reference().sopInstanceUid()).isEqualTo(string(seg, TagFromName.SOPInstanceUID));
        assertThat(result.reference().seriesInstanceUid()).isEqualTo(string(seg, TagFromName.SeriesInstanceUID));
        assertThat(result.reference().sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.66.4").isEqualTo(string(seg, TagFromName.SOPClassUID));
    }

    @Test
    void segKeepsPatientStudyAndFrameOfReferenceInANewSeries() throws Exception {
        AttributeList ct = volume.readHeader(0);
        for (AttributeTag tag : List.of(TagFromName.PatientName, TagFromName.PatientID, TagFromName.PatientSex,
                TagFromName.StudyInstanceUID, TagFromName.StudyDate, TagFromName.StudyTime, TagFromName.StudyID,
                TagFromName.StudyDescription, TagFromName.AccessionNumber, TagFromName.FrameOfReferenceUID)) {
            assertThat(string(seg, tag)).as("%s", tag).isEqualTo(string(ct, tag));
        }
        assertThat(string(seg, TagFromName.SeriesInstanceUID)).isNotEqualTo(volume.seriesInstanceUid());
        assertThat(string(seg, TagFromName.SeriesDescription)).isEqualTo("CTAI SEG");
        assertThat(integer(seg, TagFromName.SeriesNumber)).isEqualTo(ResultOptions.DEFAULT_SEG_SERIES_NUMBER);
        assertThat(string(seg, TagFromName.Modality)).isEqualTo("SEG");
        assertThat(string(seg, TagFromName.Manufacturer)).isEqualTo("CTAI Node");
        assertThat(string(seg, TagFromName.SoftwareVersions)).isEqualTo("0.1.0-test");
        assertThat(string(seg, TagFromName.ContentDate)).isEqualTo("20250304");
        assertThat(string(seg, TagFromName.ContentTime)).isEqualTo("050607.890");
        AttributeList referenced = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(seg, TagFromName.ReferencedSeriesSequence);
        assertThat(string(referenced, TagFromName.SeriesInstanceUID)).isEqualTo(volume.seriesInstanceUid());
    }

    @Test
    void framesFollowSegmentThenSliceOrderWithPositionsAndSourceImages() {
        List<int[]> expected = expectedFrames();
        SequenceAttribute perFrame = (SequenceAttribute) seg.get(TagFromName.PerFrameFunctionalGroupsSequence);
        assertThat(integer(seg, TagFromName.NumberOfFrames)).isEqualTo(expected.size()).isEqualTo(perFrame.getNumberOfItems());
        for (int f = 0; f < expected.size(); f++) {
            int segmentNumber = expected.get(f)[0], slice = expected.get(f)[1];
            SliceInfo source = volume.slices().get(slice);
            AttributeList item = perFrame.getItem(f).getAttributeList();
            AttributeList content = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.FrameContentSequence);
            assertThat(Attribute.getIntegerValues(content, TagFromName.DimensionIndexValues))
                    .containsExactly(segmentNumber, positionIndex(slice));
            AttributeList segment = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.SegmentIdentificationSequence);
            assertThat(integer(segment, TagFromName.ReferencedSegmentNumber)).isEqualTo(segmentNumber);
            AttributeList derivation = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.DerivationImageSequence);
            AttributeList sourceImage = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(derivation, TagFromName.SourceImageSequence);
            assertThat(string(sourceImage, TagFromName.ReferencedSOPInstanceUID)).isEqualTo(source.sopInstanceUid());
            assertThat(code(sourceImage, TagFromName.PurposeOfReferenceCodeSequence)).isEqualTo("DCM:121322:Source image for image processing operation");
            assertThat(code(derivation, TagFromName.DerivationCodeSequence)).isEqualTo("DCM:113076:Segmentation");
            AttributeList position = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.PlanePositionSequence);
            double[] ipp = Attribute.getDoubleValues(position, TagFromName.ImagePositionPatient);
            assertThat(ipp).containsExactly(new double[] {source.position().x(), source.position().y(), source.position().z()},
                    org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void imagePositionIndexValuesStartAtOneAndAreConsecutiveInSliceOrder() throws Exception {
        // the same lesions without their pixels on the first two slices: the SEG's first position is slice 2
        Map<Integer, short[]> labels = new java.util.TreeMap<>(analysis.lesionLabels());
        int pixels = volume.geometry().rows() * volume.geometry().columns();
        labels.put(0, new short[pixels]);
        labels.put(1, new short[pixels]);
        Analysis later = new Analysis(volume, analysis.lesions(), labels, analysis.segmentation(), analysis.measurement());
        ModelInfo model = ModelInfo.of(segmenter, "0.1.0-test");
        AttributeList list = new SegWriter(model, segmenter.spec().labels().get(0), Equipment.node(model, "test"))
                .write(later, new CommonModules.Series(CommonModules.newUid(), 9001, "CTAI SEG"), CLOCK.instant().atZone(ZoneOffset.UTC),
                        LesionTracking.assign(analysis.lesions()))
                .orElseThrow().dataset();

        SequenceAttribute perFrame = (SequenceAttribute) list.get(TagFromName.PerFrameFunctionalGroupsSequence);
        java.util.TreeMap<Integer, Integer> indexBySlice = new java.util.TreeMap<>();
        for (int f = 0; f < perFrame.getNumberOfItems(); f++) {
            AttributeList item = perFrame.getItem(f).getAttributeList();
            AttributeList content = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.FrameContentSequence);
            AttributeList derivation = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(item, TagFromName.DerivationImageSequence);
            AttributeList sourceImage = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(derivation, TagFromName.SourceImageSequence);
            int slice = sliceOf(string(sourceImage, TagFromName.ReferencedSOPInstanceUID));
            Integer previous = indexBySlice.put(slice, Attribute.getIntegerValues(content, TagFromName.DimensionIndexValues)[1]);
            assertThat(previous == null || previous.equals(indexBySlice.get(slice))).as("one index per position").isTrue();
        }
        assertThat(indexBySlice.firstKey()).as("first slice with a frame").isGreaterThanOrEqualTo(2);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= indexBySlice.size(); i++) expected.add(i);
        assertThat(new ArrayList<>(indexBySlice.values())).as("index by slice, in slice order").isEqualTo(expected);
        Path file = dir.resolve("seg-later.dcm");
        list.write(file.toFile(), com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, true, true);
        Dciodvfy.Report report = Dciodvfy.check(file);
        assertThat(report.errors()).as(report.output()).isEmpty();
        assertThat(report.warnings()).as(report.output()).isEmpty();
    }

    @Test
    void overlaysReferToTheirCtSliceAsSourceImageForImageProcessing() throws Exception {
        for (Path file : overlayFiles) {
            AttributeList sc = new AttributeList();
            sc.read(file.toFile());
            AttributeList sourceImage = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(sc, TagFromName.SourceImageSequence);
            assertThat(code(sourceImage, TagFromName.PurposeOfReferenceCodeSequence))
                    .isEqualTo("DCM:121322:Source image for image processing operation");
        }
    }

    /** The 1-based rank of a slice among the slices that hold a frame of any segment. */
    static int positionIndex(int slice) {
        java.util.TreeSet<Integer> slices = new java.util.TreeSet<>();
        for (int[] frame : expectedFrames()) slices.add(frame[1]);
        return slices.headSet(slice).size() + 1;
    }

    @Test
    void pydicomReadsOurMasksFrameByFrameOnTheRightSourceSlices() throws Exception {
        assertThat(SegReaders.python().isPresent()).as("python3 with pydicom and numpy not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        SegReaders.PydicomSeg read = SegReaders.pydicom(segFile, volume.geometry().rows(), volume.geometry().columns());
        List<int[]> expected = expectedFrames();
        assertThat(read.frames()).hasSize(expected.size());
        for (int f = 0; f < expected.size(); f++) {
            SegReaders.PydicomFrame frame = read.frames().get(f);
            int slice = sliceOf(frame.referencedSopInstanceUid());
            int lesionId = lesionOfSegment(frame.segmentNumber());
            assertThat(frame.mask()).as("frame %d (segment %d, slice %d)", f + 1, frame.segmentNumber(), slice)
                    .isEqualTo(analysis.lesionMask(slice, lesionId));
        }
        assertThat(read.patientName()).isEqualTo(CHINESE_NAME);
        assertThat(read.specificCharacterSet()).isEqualTo("ISO_IR 192");
    }

    @Test
    void ohifAdaptersCountOurVoxelsOnTheSameSourceImages() throws Exception {
        assertThat(SegReaders.ohifAdaptersInstalled()).as("node or src/test/js/node_modules missing: npm ci --prefix sr-writer/src/test/js" + " (./ctai test installs the real tools the tests need)").isTrue();
        SegReaders.OhifSeg read = SegReaders.ohif(segFile, volume.slices().stream().map(SliceInfo::file).toList());
        assertThat(read.voxelsBySop().keySet()).hasSize(analysis.lesions().size());
        for (var lesion : analysis.lesions()) {
            int segmentNumber = results.seg().orElseThrow().reference().segmentNumberByLesionId().get(lesion.id());
            Map<String, Integer> expected = new java.util.HashMap<>();
            for (int slice : analysis.lesionLabels().keySet()) {
                int count = count(analysis.lesionMask(slice, lesion.id()));
                if (count > 0) expected.put(volume.slices().get(slice).sopInstanceUid(), count);
            }
            assertThat(read.voxelsBySop().get(segmentNumber)).as("segment %d", segmentNumber).isEqualTo(expected);
            assertThat(read.labels().get(segmentNumber)).isEqualTo("Tumour " + lesion.id());
        }
    }

    @Test
    void chineseNameSurvivesIntoSegAndOverlaysReadBackWithPixelMed() throws Exception {
        assertThat(string(seg, TagFromName.PatientName)).isEqualTo(CHINESE_NAME);
        assertThat(string(seg, TagFromName.SpecificCharacterSet)).isEqualTo("ISO_IR 192");
        for (Path overlay : overlayFiles) {
            AttributeList list = new AttributeList();
            list.read(overlay.toFile());
            assertThat(string(list, TagFromName.PatientName)).isEqualTo(CHINESE_NAME);
        }
        // the bytes on disk are UTF-8
        assertThat(Files.readAllBytes(segFile)).containsSequence(CHINESE_NAME.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void overlaysShowEachLesionsLargestSliceInRgbWithAGreenContour() throws Exception {
        for (int i = 0; i < overlayFiles.size(); i++) {
            var lesion = analysis.lesions().get(i);
            AttributeList list = new AttributeList();
            list.read(overlayFiles.get(i).toFile());
            assertThat(string(list, TagFromName.SOPClassUID)).isEqualTo("1.2.840.10008.5.1.4.1.1.7");
            assertThat(string(list, TagFromName.SeriesDescription)).isEqualTo("CTAI overlays");
            assertThat(string(list, TagFromName.PhotometricInterpretation)).isEqualTo("RGB");
            assertThat(string(list, TagFromName.StudyInstanceUID)).isEqualTo(volume.studyInstanceUid());
            AttributeList source = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list, TagFromName.SourceImageSequence);
            assertThat(string(source, TagFromName.ReferencedSOPInstanceUID))
                    .isEqualTo(volume.slices().get(lesion.largestAreaSlice()).sopInstanceUid());
            byte[] rgb = list.getPixelData().getByteValues();
            int green = 0;
            for (int p = 0; p + 2 < rgb.length; p += 3) {
                if ((rgb[p] & 0xFF) == 0 && (rgb[p + 1] & 0xFF) == 255 && (rgb[p + 2] & 0xFF) == 0) green++;
            }
            assertThat(green).as("green contour pixels of lesion %d", lesion.id()).isGreaterThan(8);
        }
    }

    @Test
    void modelHashIsTheSha256OfTheModelBytes() throws Exception {
        byte[] model;
        try (var in = Segmenter.class.getResourceAsStream("/org/ctai/inference/model/ctai-phantom-unet.onnx")) {
            model = in.readAllBytes();
        }
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(model));
        assertThat(segmenter.modelSha256()).isEqualTo(expected);
        assertThat(ModelInfo.of(segmenter, "v").version()).isEqualTo("sha256:" + expected.substring(0, 16));
    }

    @Test
    void noLesionGivesNoSegAndNoOverlays() {
        Analysis none = new Analysis(volume, List.of(), Map.of(), Duration.ZERO, Duration.ZERO);
        Results empty = new ResultWriter(ResultOptions.defaults(), ModelInfo.of(segmenter, "0.1.0-test"),
                segmenter.spec().labels().get(0), CLOCK).build(none);
        assertThat(empty.seg()).isEmpty();
        assertThat(empty.overlays()).isEmpty();
    }

    @Test
    void overlaysCanBeTurnedOff() {
        Results without = new ResultWriter(ResultOptions.defaults().withOverlays(false), ModelInfo.of(segmenter, "0.1.0-test"),
                segmenter.spec().labels().get(0), CLOCK).build(analysis);
        assertThat(without.overlays()).isEmpty();
        assertThat(without.seg()).isPresent();
    }

    /** (segment number, slice index) of every frame we expect, in the expected order. */
    static List<int[]> expectedFrames() {
        List<int[]> frames = new ArrayList<>();
        for (int i = 0; i < analysis.lesions().size(); i++) {
            for (int slice : analysis.lesionLabels().keySet()) {
                if (count(analysis.lesionMask(slice, analysis.lesions().get(i).id())) > 0) frames.add(new int[] {i + 1, slice});
            }
        }
        return frames;
    }

    static int sliceOf(String sopInstanceUid) {
        for (int s = 0; s < volume.sliceCount(); s++) if (volume.slices().get(s).sopInstanceUid().equals(sopInstanceUid)) return s;
        throw new AssertionError("no slice " + sopInstanceUid);
    }

    static int lesionOfSegment(int segmentNumber) {
        return results.seg().orElseThrow().reference().segmentNumberByLesionId().entrySet().stream()
                .filter(e -> e.getValue() == segmentNumber).findFirst().orElseThrow().getKey();
    }

    static int count(byte[] mask) {
        int n = 0;
        for (byte b : mask) if (b != 0) n++;
        return n;
    }

    static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    static int integer(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleIntegerValueOrDefault(list, tag, -1);
    }

    static String code(AttributeList list, AttributeTag sequence) {
        AttributeList item = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list, sequence);
        return string(item, TagFromName.CodingSchemeDesignator) + ":" + string(item, TagFromName.CodeValue) + ":"
                + string(item, TagFromName.CodeMeaning);
    }
}
