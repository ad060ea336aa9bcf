package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.series.Volume;
import org.ctai.inference.measure.Lesion;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Builds a BINARY DICOM Segmentation (1.2.840.10008.5.1.4.1.1.66.4) from an analysis: one segment per lesion,
 * one frame per (segment, source slice holding that lesion's pixels).
 *
 * <p>Frames are ordered by segment number, then by slice order (ascending along the slice normal), which is
 * also the order of the Dimension Index (Referenced Segment Number, then Image Position (Patient)); the second
 * index value is the 1-based rank of the frame's position among the distinct positions of all frames, in slice
 * order (1, 2, ... without gaps, whichever source slice the lesions start on). Pixel Data packs the frames' bits
 * one after another without padding between frames (PS3.5 8.1.1), first pixel in the least significant bit.
 *
 * <p>Segment numbers are 1, 2, ... in lesion order; each segment's label, Tracking ID and Tracking UID come
 * from the lesion's {@link LesionTracking}, which the SR writer gets too. Stateless apart from its
 * configuration; thread-safe.
 */
final class SegWriter {

    /** Instance Number of the SEG in its series (one SEG per series). */
    static final int INSTANCE_NUMBER = 1;
    static final String CONTENT_LABEL = "CTAI_SEG";
    static final String CONTENT_DESCRIPTION = "CTAI Node tumour segmentation";

    // not in PixelMed 20220618's TagFromName (its dictionary knows them, with their VRs)
    private static final AttributeTag ALGORITHM_NAME = new AttributeTag(0x0066, 0x0036);
    private static final AttributeTag ALGORITHM_VERSION = new AttributeTag(0x0066, 0x0031);
    private static final AttributeTag SEGMENT_ALGORITHM_NAME = new AttributeTag(0x0062, 0x0009);
    private static final AttributeTag ALGORITHM_FAMILY = new AttributeTag(0x0066, 0x002F);
    private static final AttributeTag ALGORITHM_IDENTIFICATION = new AttributeTag(0x0062, 0x0007);

    /** Display colours by segment number (cycled), sRGB; written as CIELab. */
    private static final int[][] COLOURS = {
            {255, 64, 64}, {64, 160, 255}, {255, 200, 0}, {170, 80, 255}, {0, 200, 120}, {255, 128, 0},
            {255, 80, 200}, {120, 220, 255}};

    private final ModelInfo model;
    private final SegmentLabel label;
    private final Equipment equipment;

    SegWriter(ModelInfo model, SegmentLabel label, Equipment equipment) {
        this.model = Objects.requireNonNull(model, "model");
        this.label = Objects.requireNonNull(label, "label");
        this.equipment = Objects.requireNonNull(equipment, "equipment");
    }

    /**
     * @param series   the SEG's new series
     * @param created  content, series and instance creation date and time
     * @param tracking by lesion id, for every lesion of the analysis ({@link LesionTracking#assign})
     * @return empty when the analysis found no lesion (no lesion, no SEG)
     * @throws SrWriteException if a source header cannot be read, a lesion has no tracking, or the data set
     *                          cannot be built
     */
    Optional<SegResult> write(Analysis analysis, CommonModules.Series series, ZonedDateTime created,
                              Map<Integer, LesionTracking> tracking) {
        if (analysis.lesions().isEmpty()) return Optional.empty();
        Volume volume = analysis.volume();
        AttributeList source = volume.readHeader(0);
        String sopInstanceUid = CommonModules.newUid();
        try {
            AttributeList list = CommonModules.fromSource(source);
            CommonModules.putSeries(list, "SEG", series, created);
            CommonModules.copyBodyPartExamined(source, list);
            CommonModules.putEquipment(list, equipment);
            CommonModules.putInstance(list, SOPClass.SegmentationStorage, sopInstanceUid, INSTANCE_NUMBER, created);
            CommonModules.put(list, TagFromName.FrameOfReferenceUID, volume.frameOfReferenceUid());
            CommonModules.put(list, TagFromName.PositionReferenceIndicator,
                    values(Attribute.getSingleStringValueOrNull(source, TagFromName.PositionReferenceIndicator)));
            CommonModules.put(list, TagFromName.ImageType, "DERIVED", "PRIMARY");
            CommonModules.putContentIdentification(list, CONTENT_LABEL, CONTENT_DESCRIPTION);
            putImagePixel(list, volume.geometry());
            // a segmentation of pixels that went through lossy compression says so, with their ratio and method
            LossyCompression.ofSeries(volume).put(list);

            Map<Integer, Integer> segmentByLesion = new LinkedHashMap<>();
            List<AttributeList> segments = new ArrayList<>();
            List<Frame> frames = new ArrayList<>();
            int segmentNumber = 0;
            for (Lesion lesion : analysis.lesions()) {
                segmentNumber++;
                LesionTracking t = tracking.get(lesion.id());
                if (t == null) {
                    throw new SrWriteException("series " + volume.seriesInstanceUid() + ": lesion " + lesion.id() + " has no tracking");
                }
                segmentByLesion.put(lesion.id(), segmentNumber);
                segments.add(segment(segmentNumber, t, t.label().orElse(label)));
                for (int slice : analysis.lesionLabels().keySet()) {
                    BitSet pixels = pixelsOf(analysis.lesionLabels().get(slice), lesion.id());
                    if (!pixels.isEmpty()) frames.add(new Frame(segmentNumber, slice, pixels));
                }
            }
            if (frames.isEmpty()) {
                throw new SrWriteException("series " + volume.seriesInstanceUid() + ": " + analysis.lesions().size()
                        + " lesions but no lesion pixels in the label maps");
            }
            CommonModules.putSequence(list, TagFromName.SegmentSequence, segments);
            putDimensions(list);
            putSharedGroups(list, volume, source);
            putFrames(list, volume, frames);
            putReferencedSeries(list, volume, frames);
            list.put(pixelData(frames, volume.geometry()));
            CommonModules.finish(list);
            SegReference reference = new SegReference(SOPClass.SegmentationStorage, sopInstanceUid, series.uid(), segmentByLesion);
            return Optional.of(new SegResult(list, reference, tracking));
        } catch (DicomException e) {
            throw new SrWriteException("series " + volume.seriesInstanceUid() + ": cannot build SEG " + sopInstanceUid
                    + ": " + e.getMessage(), e);
        }
    }

    /** One frame: a segment on a slice, its pixels as set bits (row-major index), 1/8 of a byte mask's memory. */
    private record Frame(int segmentNumber, int slice, BitSet pixels) {
    }

    private static BitSet pixelsOf(short[] labels, int lesionId) {
        BitSet bits = new BitSet(labels.length);
        for (int i = 0; i < labels.length; i++) if (labels[i] == lesionId) bits.set(i);
        return bits;
    }

    private static String[] values(String value) {
        return value == null || value.isEmpty() ? new String[0] : new String[] {value};
    }

    private static void putImagePixel(AttributeList list, Geometry g) throws DicomException {
        putUs(list, TagFromName.SamplesPerPixel, 1);
        CommonModules.put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        putUs(list, TagFromName.Rows, g.rows());
        putUs(list, TagFromName.Columns, g.columns());
        putUs(list, TagFromName.BitsAllocated, 1);
        putUs(list, TagFromName.BitsStored, 1);
        putUs(list, TagFromName.HighBit, 0);
        putUs(list, TagFromName.PixelRepresentation, 0);
        CommonModules.put(list, TagFromName.SegmentationType, "BINARY");
    }

    private AttributeList segment(int segmentNumber, LesionTracking t, SegmentLabel label) throws DicomException {
        AttributeList item = new AttributeList();
        putUs(item, TagFromName.SegmentNumber, segmentNumber);
        CommonModules.put(item, TagFromName.SegmentLabel, t.identifier());
        putCode(item, TagFromName.SegmentedPropertyCategoryCodeSequence, label.category());
        putCode(item, TagFromName.SegmentedPropertyTypeCodeSequence, label.type());
        CommonModules.put(item, TagFromName.SegmentAlgorithmType, "AUTOMATIC");
        CommonModules.put(item, SEGMENT_ALGORITHM_NAME, model.name());
        AttributeList algorithm = new AttributeList();
        CommonModules.putCode(algorithm, ALGORITHM_FAMILY, "DCM", "123110", "Artificial Intelligence");
        CommonModules.put(algorithm, ALGORITHM_NAME, model.name());
        CommonModules.put(algorithm, ALGORITHM_VERSION, model.version());
        CommonModules.putSequence(item, ALGORITHM_IDENTIFICATION, List.of(algorithm));
        CommonModules.put(item, TagFromName.TrackingID, t.identifier());
        CommonModules.put(item, TagFromName.TrackingUID, t.uid());
        int[] lab = CieLab.fromSrgb(COLOURS[(segmentNumber - 1) % COLOURS.length]);
        Attribute colour = new UnsignedShortAttribute(TagFromName.RecommendedDisplayCIELabValue);
        for (int v : lab) colour.addValue(v);
        item.put(colour);
        return item;
    }

    private static void putCode(AttributeList list, AttributeTag tag, org.ctai.inference.model.ModelContract.Code code) {
        CommonModules.putCode(list, tag, code.scheme(), code.value(), code.meaning());
    }

    /** One dimension organisation: Referenced Segment Number, then Image Position (Patient). */
    private static void putDimensions(AttributeList list) throws DicomException {
        String organisation = CommonModules.newUid();
        AttributeList org = new AttributeList();
        CommonModules.put(org, TagFromName.DimensionOrganizationUID, organisation);
        CommonModules.putSequence(list, TagFromName.DimensionOrganizationSequence, List.of(org));
        CommonModules.putSequence(list, TagFromName.DimensionIndexSequence, List.of(
                dimension(organisation, TagFromName.ReferencedSegmentNumber, TagFromName.SegmentIdentificationSequence,
                        "ReferencedSegmentNumber"),
                dimension(organisation, TagFromName.ImagePositionPatient, TagFromName.PlanePositionSequence,
                        "ImagePositionPatient")));
    }

    private static AttributeList dimension(String organisation, AttributeTag pointer, AttributeTag group, String label)
            throws DicomException {
        AttributeList item = new AttributeList();
        CommonModules.put(item, TagFromName.DimensionOrganizationUID, organisation);
        AttributeTagAttribute p = new AttributeTagAttribute(TagFromName.DimensionIndexPointer);
        p.addValue(pointer);
        item.put(p);
        AttributeTagAttribute g = new AttributeTagAttribute(TagFromName.FunctionalGroupPointer);
        g.addValue(group);
        item.put(g);
        CommonModules.put(item, TagFromName.DimensionDescriptionLabel, label);
        return item;
    }

    /** Pixel Measures and Plane Orientation, the same for every frame. */
    private static void putSharedGroups(AttributeList list, Volume volume, AttributeList source) {
        Geometry g = volume.geometry();
        AttributeList measures = new AttributeList();
        CommonModules.put(measures, TagFromName.PixelSpacing, CommonModules.ds(g.rowSpacingMm()), CommonModules.ds(g.columnSpacingMm()));
        double thickness = Attribute.getSingleDoubleValueOrDefault(source, TagFromName.SliceThickness, Double.NaN);
        double spacing = g.sliceSpacingMm();
        if (!(thickness > 0)) thickness = spacing;
        if (thickness > 0) CommonModules.put(measures, TagFromName.SliceThickness, CommonModules.ds(thickness));
        if (spacing > 0) CommonModules.put(measures, TagFromName.SpacingBetweenSlices, CommonModules.ds(spacing));
        AttributeList orientation = new AttributeList();
        Vector3 r = g.rowDirection(), c = g.columnDirection();
        CommonModules.put(orientation, TagFromName.ImageOrientationPatient, CommonModules.ds(r.x()), CommonModules.ds(r.y()),
                CommonModules.ds(r.z()), CommonModules.ds(c.x()), CommonModules.ds(c.y()), CommonModules.ds(c.z()));
        AttributeList shared = new AttributeList();
        CommonModules.putSequence(shared, TagFromName.PixelMeasuresSequence, List.of(measures));
        CommonModules.putSequence(shared, TagFromName.PlaneOrientationSequence, List.of(orientation));
        CommonModules.putSequence(list, TagFromName.SharedFunctionalGroupsSequence, List.of(shared));
    }

    private static void putFrames(AttributeList list, Volume volume, List<Frame> frames) throws DicomException {
        // a Dimension Index Value counts the distinct values of its dimension in this instance (1, 2, ...),
        // not the slice's place in the source series
        TreeSet<Integer> slices = new TreeSet<>();
        for (Frame f : frames) slices.add(f.slice());
        Map<Integer, Integer> positionIndex = new LinkedHashMap<>();
        for (int s : slices) positionIndex.put(s, positionIndex.size() + 1);
        List<AttributeList> items = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            SliceInfo slice = volume.slices().get(f.slice());
            AttributeList item = new AttributeList();

            AttributeList sourceImage = new AttributeList();
            CommonModules.put(sourceImage, TagFromName.ReferencedSOPClassUID, slice.sopClassUid());
            CommonModules.put(sourceImage, TagFromName.ReferencedSOPInstanceUID, slice.sopInstanceUid());
            CommonModules.putCode(sourceImage, TagFromName.PurposeOfReferenceCodeSequence, "DCM", "121322",
                    "Source image for image processing operation");
            // the frame has the source slice's rows, columns and geometry: a reader may index frames by source image
            CommonModules.put(sourceImage, TagFromName.SpatialLocationsPreserved, "YES");
            AttributeList derivation = new AttributeList();
            CommonModules.putSequence(derivation, TagFromName.SourceImageSequence, List.of(sourceImage));
            CommonModules.putCode(derivation, TagFromName.DerivationCodeSequence, "DCM", "113076", "Segmentation");
            CommonModules.putSequence(item, TagFromName.DerivationImageSequence, List.of(derivation));

            AttributeList content = new AttributeList();
            Attribute index = new UnsignedLongAttribute(TagFromName.DimensionIndexValues);
            index.addValue(f.segmentNumber());
            index.addValue(positionIndex.get(f.slice()));
            content.put(index);
            CommonModules.putSequence(item, TagFromName.FrameContentSequence, List.of(content));

            AttributeList position = new AttributeList();
            Vector3 p = slice.position();
            CommonModules.put(position, TagFromName.ImagePositionPatient, CommonModules.ds(p.x()), CommonModules.ds(p.y()),
                    CommonModules.ds(p.z()));
            CommonModules.putSequence(item, TagFromName.PlanePositionSequence, List.of(position));

            AttributeList segment = new AttributeList();
            putUs(segment, TagFromName.ReferencedSegmentNumber, f.segmentNumber());
            CommonModules.putSequence(item, TagFromName.SegmentIdentificationSequence, List.of(segment));
            items.add(item);
        }
        CommonModules.putSequence(list, TagFromName.PerFrameFunctionalGroupsSequence, items);
        CommonModules.put(list, TagFromName.NumberOfFrames, Integer.toString(frames.size()));
    }

    /** Common Instance Reference: the source series and the instances the frames derive from, in slice order. */
    private static void putReferencedSeries(AttributeList list, Volume volume, List<Frame> frames) {
        TreeSet<Integer> slices = new TreeSet<>();
        for (Frame f : frames) slices.add(f.slice());
        List<AttributeList> instances = new ArrayList<>();
        for (int s : slices) {
            SliceInfo slice = volume.slices().get(s);
            AttributeList item = new AttributeList();
            CommonModules.put(item, TagFromName.ReferencedSOPClassUID, slice.sopClassUid());
            CommonModules.put(item, TagFromName.ReferencedSOPInstanceUID, slice.sopInstanceUid());
            instances.add(item);
        }
        AttributeList series = new AttributeList();
        CommonModules.putSequence(series, TagFromName.ReferencedInstanceSequence, instances);
        CommonModules.put(series, TagFromName.SeriesInstanceUID, volume.seriesInstanceUid());
        CommonModules.putSequence(list, TagFromName.ReferencedSeriesSequence, List.of(series));
    }

    /** Frames' bits one after another, LSB first, padded with zero bits to an even number of bytes. */
    private static OtherByteAttribute pixelData(List<Frame> frames, Geometry g) throws DicomException {
        int pixels = g.rows() * g.columns();
        long bits = (long) pixels * frames.size();
        long bytes = (bits + 7) / 8;
        if (bytes % 2 != 0) bytes++;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new SrWriteException(frames.size() + " frames of " + g.rows() + "x" + g.columns() + " exceed one Pixel Data element");
        }
        byte[] packed = new byte[(int) bytes];
        long start = 0;
        for (Frame f : frames) {
            BitSet set = f.pixels();
            for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
                long bit = start + i;
                packed[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
            }
            start += pixels;
        }
        OtherByteAttribute a = new OtherByteAttribute(TagFromName.PixelData);
        a.setValues(packed);
        return a;
    }

    private static void putUs(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    /** sRGB to DICOM's scaled CIELab (PS3.3 C.10.7.1.1), D65 white as the OHIF viewer converts it back. */
    static final class CieLab {
        private CieLab() {
        }

        static int[] fromSrgb(int[] rgb) {
            double r = linear(rgb[0]), g = linear(rgb[1]), b = linear(rgb[2]);
            double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
            double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
            double fx = f(x), fy = f(y), fz = f(z);
            double l = 116 * fy - 16, a = 500 * (fx - fy), bb = 200 * (fy - fz);
            return new int[] {clamp(l * 65535 / 100), clamp((a + 128) * 65535 / 255), clamp((bb + 128) * 65535 / 255)};
        }

        private static double linear(int c) {
            double v = c / 255.0;
            return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }

        private static double f(double t) {
            return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
        }

        private static int clamp(double v) {
            return (int) Math.max(0, Math.min(65535, Math.round(v)));
        }
    }
}
