package org.ctai.inference.series;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checks the slice headers of one series and assembles them into a {@link Volume}: the refusal rules
 * of {@link SeriesLoader} live here, in the order they are applied. Stateless.
 */
final class SeriesAssembler {

    private static final Logger log = LoggerFactory.getLogger(SeriesAssembler.class);

    /** Two slices closer than this along the normal are duplicates, mm. */
    static final double DUPLICATE_POSITION_TOLERANCE_MM = 0.01;
    /** Direction cosines that differ by less than this are the same orientation (about 0.06 degrees). */
    static final double ORIENTATION_TOLERANCE = 1e-3;
    /** Pixel spacings that differ by less than this are equal, mm. */
    static final double SPACING_TOLERANCE_MM = 1e-4;
    /** A gap between slices this much larger or smaller than the median gap is logged (relative). */
    static final double SPACING_VARIATION_WARNING = 0.1;

    private final float paddingFillHu;

    SeriesAssembler(float paddingFillHu) {
        this.paddingFillHu = paddingFillHu;
    }

    /** A refusal found while checking; carries what {@link SeriesLoadResult.Refused} needs. */
    private static final class RefusedException extends Exception {
        final Refusal reason;

        RefusedException(Refusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    SeriesLoadResult assemble(String seriesUid, List<SliceHeader> headers) {
        if (headers.isEmpty()) {
            return new SeriesLoadResult.Refused(seriesUid, Refusal.NO_IMAGES,
                    "series " + seriesUid + ": no file of this series among the files given");
        }
        try {
            List<Slice> slices = new ArrayList<>(headers.size());
            for (SliceHeader header : headers) {
                slices.add(checkSlice(seriesUid, header));
            }
            return new SeriesLoadResult.Loaded(buildVolume(seriesUid, slices));
        } catch (RefusedException e) {
            return new SeriesLoadResult.Refused(seriesUid, e.reason, e.getMessage());
        }
    }

    /** One checked slice, before the series-wide checks. */
    private record Slice(SliceHeader header, String sopInstanceUid, String sopClassUid, String studyUid,
                         String frameOfReferenceUid, int rows, int columns, double rowSpacing, double columnSpacing,
                         Vector3 rowDirection, Vector3 columnDirection, Vector3 position, PixelEncoding encoding) {
    }

    private Slice checkSlice(String seriesUid, SliceHeader h) throws RefusedException {
        String sop = h.sopInstanceUid();
        String where = "series " + seriesUid + ", SOP instance " + (sop.isEmpty() ? "(no SOP Instance UID) in " + h.file.getFileName() : sop);
        String modality = h.string(TagFromName.Modality);
        if (!"CT".equals(modality)) {
            throw new RefusedException(Refusal.NOT_CT, where + ": Modality is "
                    + (modality.isEmpty() ? "missing" : modality) + ", not CT");
        }
        String sopClass = h.string(TagFromName.SOPClassUID);
        if (!SOPClass.CTImageStorage.equals(sopClass)) {
            throw new RefusedException(Refusal.NOT_CT, where + ": SOP Class " + (sopClass.isEmpty() ? "missing" : sopClass)
                    + " is not CT Image Storage (" + SOPClass.CTImageStorage + ")");
        }
        if (!SeriesLoader.DECODABLE_TRANSFER_SYNTAXES.contains(h.transferSyntaxUid)) {
            throw new RefusedException(Refusal.UNSUPPORTED_TRANSFER_SYNTAX, where + ": unsupported transfer syntax "
                    + h.transferSyntaxUid + " (" + new TransferSyntax(h.transferSyntaxUid).getDescription()
                    + "); this build decodes " + String.join(", ", SeriesLoader.DECODABLE_TRANSFER_SYNTAXES.stream().sorted().toList()));
        }
        if (!h.hasPixelData()) {
            throw new RefusedException(Refusal.MISSING_PIXEL_DATA, where + ": no Pixel Data");
        }
        if (sop.isEmpty()) throw missing(where, "SOP Instance UID");
        String study = required(h, where, TagFromName.StudyInstanceUID, "Study Instance UID");
        String frameOfReference = required(h, where, TagFromName.FrameOfReferenceUID, "Frame of Reference UID");
        int rows = h.integer(TagFromName.Rows);
        int columns = h.integer(TagFromName.Columns);
        if (rows <= 0) throw missing(where, "Rows");
        if (columns <= 0) throw missing(where, "Columns");
        checkPixelFormat(h, where);
        double[] spacing = h.doubles(TagFromName.PixelSpacing);
        if (spacing.length != 2 || !(spacing[0] > 0) || !(spacing[1] > 0)) throw missing(where, "Pixel Spacing");
        double[] iop = h.doubles(TagFromName.ImageOrientationPatient);
        if (iop.length != 6) throw missing(where, "Image Orientation (Patient)");
        Vector3 rowDirection = new Vector3(iop[0], iop[1], iop[2]);
        Vector3 columnDirection = new Vector3(iop[3], iop[4], iop[5]);
        if (Math.abs(rowDirection.length() - 1) > 0.01 || Math.abs(columnDirection.length() - 1) > 0.01
                || Math.abs(rowDirection.dot(columnDirection)) > 0.01) {
            throw new RefusedException(Refusal.MISSING_ATTRIBUTE, where
                    + ": Image Orientation (Patient) is not two orthogonal unit vectors");
        }
        double[] ipp = h.doubles(TagFromName.ImagePositionPatient);
        if (ipp.length != 3) throw missing(where, "Image Position (Patient)");
        PixelEncoding encoding = encoding(h, where);
        Optional<String> truncation = h.pixelDataTruncation((long) rows * columns * encoding.bytesPerPixel());
        if (truncation.isPresent()) {
            throw new RefusedException(Refusal.UNREADABLE_FILE, where + ": " + truncation.get());
        }
        return new Slice(h, sop, sopClass, study, frameOfReference, rows, columns, spacing[0], spacing[1],
                rowDirection.normalized(), columnDirection.normalized(), Vector3.of(ipp), encoding);
    }

    private static void checkPixelFormat(SliceHeader h, String where) throws RefusedException {
        int samples = h.has(TagFromName.SamplesPerPixel) ? h.integer(TagFromName.SamplesPerPixel) : 1;
        String photometric = h.string(TagFromName.PhotometricInterpretation);
        if (samples != 1 || !(photometric.equals("MONOCHROME2") || photometric.equals("MONOCHROME1"))) {
            throw new RefusedException(Refusal.UNSUPPORTED_PIXEL_FORMAT, where + ": Samples per Pixel " + samples
                    + ", Photometric Interpretation " + photometric + " (need one grey sample, MONOCHROME1 or 2)");
        }
        int frames = h.has(TagFromName.NumberOfFrames) ? h.integer(TagFromName.NumberOfFrames) : 1;
        if (frames > 1) {
            throw new RefusedException(Refusal.UNSUPPORTED_PIXEL_FORMAT, where + ": " + frames
                    + " frames in one instance; only single-frame CT images are read");
        }
    }

    private PixelEncoding encoding(SliceHeader h, String where) throws RefusedException {
        int bitsAllocated = h.integer(TagFromName.BitsAllocated);
        int bitsStored = h.integer(TagFromName.BitsStored);
        int highBit = h.has(TagFromName.HighBit) ? h.integer(TagFromName.HighBit) : bitsStored - 1;
        int representation = h.integer(TagFromName.PixelRepresentation);
        if (bitsAllocated < 0) throw missing(where, "Bits Allocated");
        if (bitsStored < 0) throw missing(where, "Bits Stored");
        if (representation != 0 && representation != 1) throw missing(where, "Pixel Representation");
        boolean signed = representation == 1;
        // CT Image requires both (Type 1); identity is the only sensible reading when a writer left them out
        double slope = h.decimal(TagFromName.RescaleSlope, 1.0);
        double intercept = h.decimal(TagFromName.RescaleIntercept, 0.0);
        if (slope == 0 || !Double.isFinite(slope) || !Double.isFinite(intercept)) {
            throw new RefusedException(Refusal.MISSING_ATTRIBUTE, where + ": Rescale Slope " + slope
                    + " / Intercept " + intercept + " cannot map stored values to HU");
        }
        Optional<PixelPadding> padding = Optional.empty();
        if (h.has(TagFromName.PixelPaddingValue)) {
            int value = storedPaddingValue(h.integer(TagFromName.PixelPaddingValue), signed);
            int limit = h.has(TagFromName.PixelPaddingRangeLimit)
                    ? storedPaddingValue(h.integer(TagFromName.PixelPaddingRangeLimit), signed) : value;
            padding = Optional.of(new PixelPadding(Math.min(value, limit), Math.max(value, limit), paddingFillHu));
        }
        try {
            return new PixelEncoding(bitsAllocated, bitsStored, highBit, signed, slope, intercept, padding);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(Refusal.UNSUPPORTED_PIXEL_FORMAT, where + ": " + e.getMessage());
        }
    }

    /** Pixel Padding Value is US or SS as the pixels are; a reader may hand either back as the other. */
    private static int storedPaddingValue(int value, boolean signed) {
        if (signed && value > Short.MAX_VALUE) return value - 0x10000;
        if (!signed && value < 0) return value + 0x10000;
        return value;
    }

    private Volume buildVolume(String seriesUid, List<Slice> slices) throws RefusedException {
        Slice first = slices.get(0);
        for (Slice s : slices) {
            String where = "series " + seriesUid + ": SOP instance " + s.sopInstanceUid() + " ";
            if (s.rows() != first.rows() || s.columns() != first.columns()) {
                throw new RefusedException(Refusal.MIXED_DIMENSIONS, where + "is " + s.rows() + "x" + s.columns()
                        + " (rows x columns) but SOP instance " + first.sopInstanceUid() + " is " + first.rows() + "x" + first.columns());
            }
            if (Math.abs(s.rowSpacing() - first.rowSpacing()) > SPACING_TOLERANCE_MM
                    || Math.abs(s.columnSpacing() - first.columnSpacing()) > SPACING_TOLERANCE_MM) {
                throw new RefusedException(Refusal.MIXED_PIXEL_SPACING, where + "has Pixel Spacing " + s.rowSpacing() + "\\"
                        + s.columnSpacing() + " but SOP instance " + first.sopInstanceUid() + " has "
                        + first.rowSpacing() + "\\" + first.columnSpacing());
            }
            if (differs(s.rowDirection(), first.rowDirection()) || differs(s.columnDirection(), first.columnDirection())) {
                throw new RefusedException(Refusal.MIXED_ORIENTATION, where + "has Image Orientation (Patient) "
                        + orientation(s) + " but SOP instance " + first.sopInstanceUid() + " has " + orientation(first));
            }
            if (!s.frameOfReferenceUid().equals(first.frameOfReferenceUid())) {
                throw new RefusedException(Refusal.MIXED_FRAME_OF_REFERENCE, where + "has Frame of Reference UID "
                        + s.frameOfReferenceUid() + " but SOP instance " + first.sopInstanceUid() + " has " + first.frameOfReferenceUid());
            }
        }
        Vector3 normal = first.rowDirection().cross(first.columnDirection()).normalized();
        List<Slice> sorted = new ArrayList<>(slices);
        // position along the normal, never Instance Number; SOP Instance UID only breaks exact ties deterministically
        sorted.sort(Comparator.comparingDouble((Slice s) -> s.position().dot(normal)).thenComparing(Slice::sopInstanceUid));
        double[] gaps = new double[Math.max(0, sorted.size() - 1)];
        for (int i = 1; i < sorted.size(); i++) {
            Slice previous = sorted.get(i - 1);
            Slice current = sorted.get(i);
            gaps[i - 1] = current.position().dot(normal) - previous.position().dot(normal);
            if (gaps[i - 1] < DUPLICATE_POSITION_TOLERANCE_MM) {
                throw new RefusedException(Refusal.DUPLICATE_POSITION, "series " + seriesUid + ": SOP instances "
                        + previous.sopInstanceUid() + " and " + current.sopInstanceUid() + " lie at the same position "
                        + String.format("%.3f", current.position().dot(normal)) + " mm along the slice normal");
            }
        }
        warnIfSpacingVaries(seriesUid, gaps);
        List<SliceInfo> infos = new ArrayList<>(sorted.size());
        List<PixelEncoding> encodings = new ArrayList<>(sorted.size());
        List<Vector3> positions = new ArrayList<>(sorted.size());
        for (Slice s : sorted) {
            infos.add(new SliceInfo(s.sopInstanceUid(), s.sopClassUid(), s.header().file, s.position()));
            encodings.add(s.encoding());
            positions.add(s.position());
        }
        Geometry geometry = new Geometry(first.rows(), first.columns(), first.rowSpacing(), first.columnSpacing(),
                first.rowDirection(), first.columnDirection(), positions);
        return new Volume(seriesUid, first.studyUid(), first.frameOfReferenceUid(), geometry, infos, encodings);
    }

    private static void warnIfSpacingVaries(String seriesUid, double[] gaps) {
        if (gaps.length < 2) return;
        double[] sortedGaps = gaps.clone();
        java.util.Arrays.sort(sortedGaps);
        double median = sortedGaps[sortedGaps.length / 2];
        double min = sortedGaps[0];
        double max = sortedGaps[sortedGaps.length - 1];
        if (max - min > SPACING_VARIATION_WARNING * median) {
            log.warn("series {}: slice spacing varies from {} to {} mm (median {} mm); missing slices? "
                    + "Volumes use each slice's own position", seriesUid,
                    String.format("%.3f", min), String.format("%.3f", max), String.format("%.3f", median));
        }
    }

    private static boolean differs(Vector3 a, Vector3 b) {
        return Math.abs(a.x() - b.x()) > ORIENTATION_TOLERANCE || Math.abs(a.y() - b.y()) > ORIENTATION_TOLERANCE
                || Math.abs(a.z() - b.z()) > ORIENTATION_TOLERANCE;
    }

    private static String orientation(Slice s) {
        Vector3 r = s.rowDirection();
        Vector3 c = s.columnDirection();
        return String.format("%.4f\\%.4f\\%.4f\\%.4f\\%.4f\\%.4f", r.x(), r.y(), r.z(), c.x(), c.y(), c.z());
    }

    private static String required(SliceHeader h, String where, com.pixelmed.dicom.AttributeTag tag, String name)
            throws RefusedException {
        String value = h.string(tag);
        if (value.isEmpty()) throw missing(where, name);
        return value;
    }

    private static RefusedException missing(String where, String attribute) {
        return new RefusedException(Refusal.MISSING_ATTRIBUTE, where + ": " + attribute + " missing or malformed");
    }
}
