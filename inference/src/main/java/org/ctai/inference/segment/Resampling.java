package org.ctai.inference.segment;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.model.ModelContract.Spacing;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The series' grid and the model's grid at its target spacing, and the maps between them. Voxel centres are
 * aligned as OpenCV aligns pixel centres: index {@code i} of an axis of {@code n} voxels maps to
 * {@code (i + 0.5) * m / n - 0.5} on the same axis of {@code m} voxels. HU go to the target grid linearly
 * (in-plane: area averaging when shrinking, bilinear when enlarging; between slices: linear); labels come back
 * by nearest neighbour. Immutable.
 *
 * @param slices  the series' slices, rows, columns
 * @param targetSlices the target grid's slices, rows, columns
 */
record Resampling(int slices, int rows, int columns, int targetSlices, int targetRows, int targetColumns) {

    /** The target grid of a series of {@code slices} slices with geometry {@code g}; the same grid without a spacing. */
    static Resampling plan(Geometry g, int slices, Optional<Spacing> target) {
        if (target.isEmpty()) return new Resampling(slices, g.rows(), g.columns(), slices, g.rows(), g.columns());
        Spacing t = target.get();
        double sliceMm = slices > 1 ? g.sliceSpacingMm() : t.sliceMm();
        return new Resampling(slices, g.rows(), g.columns(),
                resized(slices, sliceMm, t.sliceMm()), resized(g.rows(), g.rowSpacingMm(), t.rowMm()),
                resized(g.columns(), g.columnSpacingMm(), t.columnMm()));
    }

    private static int resized(int count, double spacing, double target) {
        return Math.max(1, (int) Math.round(count * spacing / target));
    }

    boolean identity() {
        return slices == targetSlices && rows == targetRows && columns == targetColumns;
    }

    boolean inPlaneIdentity() {
        return rows == targetRows && columns == targetColumns;
    }

    /**
     * The series' HU on the target grid, one plane per target slice ({@code targetRows * targetColumns}, row-major).
     * Reads each slice once, in order, holding two resized slices besides the result.
     */
    float[][] toTarget(IntFunction<float[]> sliceHu) {
        float[][] planes = new float[targetSlices][];
        int lowIndex = -1;
        float[] low = null;
        float[] high = null;
        int highIndex = -1;
        for (int t = 0; t < targetSlices; t++) {
            double z = clamp((t + 0.5) * slices / targetSlices - 0.5, 0, slices - 1);
            int z0 = (int) Math.floor(z);
            int z1 = Math.min(slices - 1, z0 + 1);
            if (z0 != lowIndex) {
                low = z0 == highIndex ? high : inPlane(sliceHu.apply(z0));
                lowIndex = z0;
            }
            if (z1 != highIndex) {
                high = z1 == lowIndex ? low : inPlane(sliceHu.apply(z1));
                highIndex = z1;
            }
            double f = z - z0;
            if (f == 0 || z0 == z1) {
                // a copy: the next target slice may interpolate from the same resized slice, and planes are normalised in place
                planes[t] = low.clone();
            } else {
                float[] plane = new float[low.length];
                for (int i = 0; i < plane.length; i++) plane[i] = (float) (low[i] * (1 - f) + high[i] * f);
                planes[t] = plane;
            }
        }
        return planes;
    }

    /** Target slice whose centre is nearest to the centre of series slice {@code slice}. */
    int nearestTargetSlice(int slice) {
        return (int) clamp(Math.round((slice + 0.5) * targetSlices / slices - 0.5), 0, targetSlices - 1);
    }

    /** A label plane of the target grid back to the series' rows and columns, nearest neighbour. */
    byte[] labelsBack(byte[] targetPlane) {
        if (inPlaneIdentity()) return targetPlane.clone();
        Mat source = new Mat(targetRows, targetColumns, CvType.CV_8UC1);
        Mat out = new Mat();
        try {
            source.put(0, 0, targetPlane);
            Imgproc.resize(source, out, new Size(columns, rows), 0, 0, Imgproc.INTER_NEAREST_EXACT);
            byte[] plane = new byte[rows * columns];
            out.get(0, 0, plane);
            return plane;
        } finally {
            source.release();
            out.release();
        }
    }

    private float[] inPlane(float[] hu) {
        if (inPlaneIdentity()) return hu;
        Mat source = new Mat(rows, columns, CvType.CV_32FC1);
        Mat out = new Mat();
        try {
            source.put(0, 0, hu);
            int interpolation = targetRows * targetColumns < rows * columns ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
            Imgproc.resize(source, out, new Size(targetColumns, targetRows), 0, 0, interpolation);
            float[] plane = new float[targetRows * targetColumns];
            out.get(0, 0, plane);
            return plane;
        } finally {
            source.release();
            out.release();
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
