package org.ctai.inference.series;

import java.util.List;
import java.util.Objects;

/**
 * Physical geometry of a series of parallel, equally sized slices, from the DICOM image plane module.
 *
 * <p>{@code rowSpacingMm} is the distance between the centres of adjacent rows (first value of Pixel
 * Spacing), {@code columnSpacingMm} between adjacent columns (second value). {@code rowDirection} and
 * {@code columnDirection} are the unit vectors of Image Orientation (Patient): the direction in which
 * the column index grows along a row, and the direction in which the row index grows. Slice positions
 * are Image Position (Patient) of each slice, in the volume's slice order (sorted along the normal).
 * Immutable; arrays are copied in and out.
 */
public record Geometry(int rows, int columns, double rowSpacingMm, double columnSpacingMm,
                       Vector3 rowDirection, Vector3 columnDirection, List<Vector3> slicePositions) {

    public Geometry {
        if (rows <= 0 || columns <= 0) throw new IllegalArgumentException("rows and columns must be positive, were " + rows + "x" + columns);
        if (!(rowSpacingMm > 0) || !(columnSpacingMm > 0)) throw new IllegalArgumentException("pixel spacing must be positive, was " + rowSpacingMm + "\\" + columnSpacingMm);
        Objects.requireNonNull(rowDirection, "rowDirection");
        Objects.requireNonNull(columnDirection, "columnDirection");
        slicePositions = List.copyOf(slicePositions);
    }

    /** Unit normal of the slices (row direction x column direction). */
    public Vector3 normal() {
        return rowDirection.cross(columnDirection).normalized();
    }

    /** Distance between adjacent slice centres along the normal, mm; for a single slice, NaN. */
    public double sliceSpacingMm() {
        if (slicePositions.size() < 2) return Double.NaN;
        Vector3 n = normal();
        double first = slicePositions.get(0).dot(n);
        double last = slicePositions.get(slicePositions.size() - 1).dot(n);
        return Math.abs(last - first) / (slicePositions.size() - 1);
    }

    /**
     * Distances between adjacent slice centres along the normal, mm, in slice order: {@code n - 1} values
     * for {@code n} slices (none for one slice). Unlike {@link #sliceSpacingMm()}, it shows uneven spacing.
     */
    public double[] sliceGapsMm() {
        Vector3 n = normal();
        double[] gaps = new double[Math.max(0, slicePositions.size() - 1)];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = Math.abs(slicePositions.get(i + 1).dot(n) - slicePositions.get(i).dot(n));
        }
        return gaps;
    }

    /**
     * The slice spacing as a log or message states it: {@code "2.500 mm"} when even (within 0.01 mm),
     * {@code "1.250..5.000 mm"} when not, {@code "none (one slice)"} for a single slice.
     */
    public String describeSliceSpacing() {
        double[] gaps = sliceGapsMm();
        if (gaps.length == 0) return "none (one slice)";
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (double g : gaps) {
            min = Math.min(min, g);
            max = Math.max(max, g);
        }
        return max - min <= 0.01 ? String.format(java.util.Locale.ROOT, "%.3f mm", max)
                : String.format(java.util.Locale.ROOT, "%.3f..%.3f mm", min, max);
    }

    /** Patient coordinate (mm) of the centre of pixel (row, column) on slice {@code slice}. */
    public Vector3 patientPoint(int slice, double row, double column) {
        return slicePositions.get(slice)
                .plus(rowDirection.times(column * columnSpacingMm))
                .plus(columnDirection.times(row * rowSpacingMm));
    }

    /** Area of one pixel, mm2. */
    public double pixelAreaMm2() {
        return rowSpacingMm * columnSpacingMm;
    }
}
