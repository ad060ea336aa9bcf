package org.ctai.inference.phantom;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Paints the layers of an {@link Anatomy} onto one axial slice, then adds CT noise.
 *
 * <p>Painting blends each layer over what lies beneath by its coverage of the voxel, which gives
 * partial volume at every edge. Noise is white Gaussian noise smoothed by a 3 x 3 binomial kernel
 * (CT noise is spatially correlated), drawn from a stream of its own per slice, so slices can be
 * rendered in any order with identical results. Only {@code StrictMath} is used for transcendental
 * functions, so the pixels do not depend on the JVM or the CPU. Stateless apart from its inputs.
 */
final class SliceRenderer {

    /** Standard deviation of binomial-smoothed unit white noise: the kernel's squared weights sum to (6/16)^2. */
    private static final double SMOOTHED_NOISE_STD = 6.0 / 16.0;

    private final List<Layer> layers;
    private final int size;
    private final double pixelMm, sliceMm, firstX, firstY;

    SliceRenderer(List<Layer> layers, int size, double pixelMm, double sliceMm, double firstX, double firstY) {
        this.layers = List.copyOf(layers);
        this.size = size;
        this.pixelMm = pixelMm;
        this.sliceMm = sliceMm;
        this.firstX = firstX;
        this.firstY = firstY;
    }

    /**
     * Renders the noiseless slice at z into {@code hu} and the tumour labels into {@code labels}
     * (0, or the label of the last tumour layer that covers more than half of the voxel).
     */
    void paint(double z, float[] hu, byte[] labels) {
        java.util.Arrays.fill(hu, -1000f);
        java.util.Arrays.fill(labels, (byte) 0);
        for (Layer layer : layers) {
            double[] b = layer.region().boundsAt(z);
            if (b == null) continue;
            int c0 = clampIndex(Math.floor((b[0] - firstX) / pixelMm) - 1), c1 = clampIndex(Math.ceil((b[1] - firstX) / pixelMm) + 1);
            int r0 = clampIndex(Math.floor((b[2] - firstY) / pixelMm) - 1), r1 = clampIndex(Math.ceil((b[3] - firstY) / pixelMm) + 1);
            Region region = layer.region();
            Tissue tissue = layer.tissue();
            int label = layer.label();
            for (int row = r0; row <= r1; row++) {
                double y = firstY + row * pixelMm;
                int offset = row * size;
                for (int col = c0; col <= c1; col++) {
                    double x = firstX + col * pixelMm;
                    double coverage = region.coverage(x, y, z, pixelMm, sliceMm);
                    if (coverage <= 0) continue;
                    int i = offset + col;
                    hu[i] += (float) (coverage * (tissue.hu(x, y, z) - hu[i]));
                    if (label != 0 && coverage > 0.5) labels[i] = (byte) label;
                }
            }
        }
    }

    /** Adds correlated Gaussian noise of standard deviation {@code sigmaHu}, drawn from {@code noiseSeed}. */
    void addNoise(float[] hu, double sigmaHu, long noiseSeed) {
        if (sigmaHu == 0) return;
        SplittableRandom random = new SplittableRandom(noiseSeed);
        int n = size * size;
        float[] white = new float[n];
        for (int i = 0; i < n; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms
            double u1 = 1 - random.nextDouble(), u2 = random.nextDouble();
            double radius = StrictMath.sqrt(-2 * StrictMath.log(u1)), angle = 2 * Math.PI * u2;
            white[i] = (float) (radius * StrictMath.cos(angle));
            if (i + 1 < n) white[i + 1] = (float) (radius * StrictMath.sin(angle));
        }
        float[] rows = new float[n];
        for (int r = 0; r < size; r++) {
            int o = r * size;
            for (int c = 0; c < size; c++) {
                int left = c == 0 ? c : c - 1, right = c == size - 1 ? c : c + 1;
                rows[o + c] = 0.25f * white[o + left] + 0.5f * white[o + c] + 0.25f * white[o + right];
            }
        }
        double gain = sigmaHu / SMOOTHED_NOISE_STD;
        for (int r = 0; r < size; r++) {
            int up = (r == 0 ? r : r - 1) * size, here = r * size, down = (r == size - 1 ? r : r + 1) * size;
            for (int c = 0; c < size; c++) {
                double smooth = 0.25 * rows[up + c] + 0.5 * rows[here + c] + 0.25 * rows[down + c];
                hu[here + c] += (float) (gain * smooth);
            }
        }
    }

    private int clampIndex(double index) {
        return (int) Math.max(0, Math.min(size - 1, index));
    }
}
