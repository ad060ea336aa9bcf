package org.ctai.inference.phantom;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to generate: one synthetic axial CT series of the abdomen with tumours in the liver.
 *
 * <p>The seed fixes everything random: the anatomy, where the tumours are, their shape and contrast,
 * and the noise. Two specs that differ only in {@code tumourScale} (and, say, {@code studyDate})
 * give the same patient with the same tumours grown or shrunk, which is how a caller builds a
 * follow-up history. UIDs are derived from the whole spec, so such studies do not collide.
 *
 * <p>Start from {@link #of(long)} and change what you need with the {@code with…} methods.
 * Immutable and thread-safe; the constructor rejects bad values and names every one of them.
 *
 * @param seed               fixes anatomy, tumours and noise
 * @param slices             number of axial slices, 1..{@value #MAX_SLICES}
 * @param size               rows = columns, 16..{@value #MAX_SIZE}
 * @param pixelSpacingMm     square pixels, mm
 * @param sliceSpacingMm     distance between slice centres, also the slice thickness, mm
 * @param tumours            number of tumours, 0..{@value #MAX_TUMOURS}
 * @param tumourScale        multiplies every tumour's linear size (volume scales with its cube), 0 &lt; scale &le; 3
 * @param noiseSigmaHu       standard deviation of the (spatially correlated) image noise, HU, 0..200
 * @param patientName        DICOM person name, e.g. {@code PHANTOM^CTAI}
 * @param patientId          Patient ID
 * @param studyDate          Study Date (also the content date; there is no wall-clock time in the files)
 * @param studyDescription   Study Description
 * @param seriesDescription  Series Description
 */
public record PhantomSpec(long seed, int slices, int size, double pixelSpacingMm, double sliceSpacingMm,
                          int tumours, double tumourScale, double noiseSigmaHu,
                          String patientName, String patientId, LocalDate studyDate,
                          String studyDescription, String seriesDescription) {

    /** Rows and columns unless told otherwise. */
    public static final int DEFAULT_SIZE = 512;
    /** Field of view of the default series, mm: {@value} mm over 512 pixels is 0.75 mm pixels, an adult abdomen. */
    public static final double DEFAULT_FIELD_OF_VIEW_MM = 384;
    public static final int DEFAULT_SLICES = 24;
    /** mm; a common reconstruction interval for abdominal CT. */
    public static final double DEFAULT_SLICE_SPACING_MM = 2.5;
    public static final int DEFAULT_TUMOURS = 2;
    /** HU; about what a 120 kV abdominal scan at routine dose shows in the liver. */
    public static final double DEFAULT_NOISE_SIGMA_HU = 10;
    public static final LocalDate DEFAULT_STUDY_DATE = LocalDate.of(2024, 1, 15);
    public static final int MAX_SLICES = 2000;
    public static final int MAX_SIZE = 2048;
    public static final int MAX_TUMOURS = 8;

    public PhantomSpec {
        List<String> problems = new ArrayList<>();
        if (slices < 1 || slices > MAX_SLICES) problems.add("slices must be 1.." + MAX_SLICES + ", was " + slices);
        if (size < 16 || size > MAX_SIZE) problems.add("size must be 16.." + MAX_SIZE + ", was " + size);
        if (!(pixelSpacingMm > 0) || pixelSpacingMm > 10) problems.add("pixelSpacingMm must be > 0 and <= 10, was " + pixelSpacingMm);
        if (!(sliceSpacingMm > 0) || sliceSpacingMm > 20) problems.add("sliceSpacingMm must be > 0 and <= 20, was " + sliceSpacingMm);
        if (tumours < 0 || tumours > MAX_TUMOURS) problems.add("tumours must be 0.." + MAX_TUMOURS + ", was " + tumours);
        if (!(tumourScale > 0) || tumourScale > 3) problems.add("tumourScale must be > 0 and <= 3, was " + tumourScale);
        if (!(noiseSigmaHu >= 0) || noiseSigmaHu > 200) problems.add("noiseSigmaHu must be 0..200, was " + noiseSigmaHu);
        Objects.requireNonNull(patientName, "patientName");
        Objects.requireNonNull(patientId, "patientId");
        Objects.requireNonNull(studyDate, "studyDate");
        Objects.requireNonNull(studyDescription, "studyDescription");
        Objects.requireNonNull(seriesDescription, "seriesDescription");
        if (patientId.isBlank() || patientId.length() > 64) problems.add("patientId must be 1..64 characters, was '" + patientId + "'");
        if (!problems.isEmpty()) throw new IllegalArgumentException("invalid phantom spec: " + String.join("; ", problems));
    }

    /** The default series for a seed: 24 slices of 512 x 512, 0.75 mm pixels, 2.5 mm slices, two tumours. */
    public static PhantomSpec of(long seed) {
        return new PhantomSpec(seed, DEFAULT_SLICES, DEFAULT_SIZE, DEFAULT_FIELD_OF_VIEW_MM / DEFAULT_SIZE,
                DEFAULT_SLICE_SPACING_MM, DEFAULT_TUMOURS, 1.0, DEFAULT_NOISE_SIGMA_HU,
                "PHANTOM^CTAI", "CTAI-PHANTOM-" + seed, DEFAULT_STUDY_DATE,
                "CT ABDOMEN SYNTHETIC PHANTOM", "Axial synthetic phantom");
    }

    public PhantomSpec withSeed(long v) { return new PhantomSpec(v, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withSlices(int v) { return new PhantomSpec(seed, v, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    /** Changes rows and columns and keeps the field of view, so the pixel spacing changes with it. */
    public PhantomSpec withSize(int v) {
        double fieldOfView = size * pixelSpacingMm;
        return new PhantomSpec(seed, slices, v, fieldOfView / v, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription);
    }

    /** Changes the pixel spacing and keeps the size, so the field of view changes with it. */
    public PhantomSpec withPixelSpacingMm(double v) { return new PhantomSpec(seed, slices, size, v, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withSliceSpacingMm(double v) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, v, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withTumours(int v) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, v, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withTumourScale(double v) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, v, noiseSigmaHu, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withNoiseSigmaHu(double v) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, v, patientName, patientId, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withPatient(String name, String id) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, name, id, studyDate, studyDescription, seriesDescription); }

    public PhantomSpec withStudyDate(LocalDate v) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, v, studyDescription, seriesDescription); }

    public PhantomSpec withDescriptions(String study, String series) { return new PhantomSpec(seed, slices, size, pixelSpacingMm, sliceSpacingMm, tumours, tumourScale, noiseSigmaHu, patientName, patientId, studyDate, study, series); }

    /** Field of view along rows and columns, mm. */
    public double fieldOfViewMm() {
        return size * pixelSpacingMm;
    }

    /** Volume of one voxel, mm3. */
    public double voxelVolumeMm3() {
        return pixelSpacingMm * pixelSpacingMm * sliceSpacingMm;
    }
}
