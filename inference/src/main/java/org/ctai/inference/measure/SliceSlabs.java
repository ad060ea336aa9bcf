package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;

import java.util.Arrays;

/**
 * The slab of space each slice stands for, and which adjacent slices are contiguous, from the real slice
 * positions (midpoint rule): a slice reaches halfway to each contiguous neighbour, so a series of 1.25, 2.5
 * and 5 mm parts integrates each part with its own spacing, never the mean.
 *
 * <p>A <b>gap</b> is a distance between two adjacent slices more than {@value #GAP_FACTOR} times each
 * neighbouring distance (one missing slice in an even run doubles one distance; a change of reconstruction
 * interval changes all distances after it, so it is no gap). Lesions are not linked across a gap, and no
 * volume is counted inside it: a slice next to a gap reaches as far into it as it reaches on its other side.
 * A series end does the same. A slice with gaps on both sides (or the only slice) uses the DICOM Slice
 * Thickness, or else the median distance. Immutable.
 */
final class SliceSlabs {

    /** How much larger than both neighbouring distances a distance must be to count as a gap. */
    static final double GAP_FACTOR = 1.5;

    private final double[] thicknessMm;
    private final boolean[] joinsNext;

    private SliceSlabs(double[] thicknessMm, boolean[] joinsNext) {
        this.thicknessMm = thicknessMm;
        this.joinsNext = joinsNext;
    }

    /**
     * @param sliceThicknessMm DICOM Slice Thickness, for a lone slice; NaN when unknown
     * @throws IllegalArgumentException when a slice gets no positive finite thickness
     */
    static SliceSlabs of(Geometry geometry, double sliceThicknessMm) {
        double[] gaps = geometry.sliceGapsMm();
        int n = gaps.length + 1;
        boolean[] joins = new boolean[gaps.length];
        for (int i = 0; i < gaps.length; i++) {
            double before = i > 0 ? gaps[i - 1] : Double.NaN;
            double after = i + 1 < gaps.length ? gaps[i + 1] : Double.NaN;
            double neighbour = Math.max(Double.isNaN(before) ? 0 : before, Double.isNaN(after) ? 0 : after);
            boolean gap = neighbour > 0 && gaps[i] > GAP_FACTOR * neighbour;
            joins[i] = !gap && gaps[i] > 0;
        }
        double lone = sliceThicknessMm > 0 && Double.isFinite(sliceThicknessMm) ? sliceThicknessMm : median(gaps);
        double[] thickness = new double[n];
        for (int z = 0; z < n; z++) {
            double below = z > 0 && joins[z - 1] ? gaps[z - 1] / 2 : Double.NaN;
            double above = z < n - 1 && joins[z] ? gaps[z] / 2 : Double.NaN;
            if (Double.isNaN(below) && Double.isNaN(above)) thickness[z] = lone;
            else if (Double.isNaN(below)) thickness[z] = 2 * above;
            else if (Double.isNaN(above)) thickness[z] = 2 * below;
            else thickness[z] = below + above;
            if (!(thickness[z] > 0) || Double.isInfinite(thickness[z])) {
                throw new IllegalArgumentException(n == 1
                        ? "a single-slice series needs a positive slice thickness for volumes, was " + sliceThicknessMm + " mm"
                        : "slice " + z + " has no neighbour to take a slab thickness from and no slice thickness (was "
                        + sliceThicknessMm + " mm); slice spacing " + geometry.describeSliceSpacing());
            }
        }
        return new SliceSlabs(thickness, joins);
    }

    private static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Depth of the slab slice {@code z} stands for, mm. */
    double thicknessMm(int z) {
        return thicknessMm[z];
    }

    /** Whether slices {@code z} and {@code z + 1} are contiguous (their voxels may belong to one lesion). */
    boolean joinsNext(int z) {
        return joinsNext[z];
    }

    /** Slice indices {@code z} with a gap between {@code z} and {@code z + 1}, ascending. */
    int[] gapsAfter() {
        int count = 0;
        for (boolean j : joinsNext) if (!j) count++;
        int[] out = new int[count];
        int k = 0;
        for (int z = 0; z < joinsNext.length; z++) if (!joinsNext[z]) out[k++] = z;
        return out;
    }
}
