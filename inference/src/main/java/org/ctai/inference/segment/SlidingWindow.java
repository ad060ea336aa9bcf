package org.ctai.inference.segment;

/**
 * Where the patches of a sliding window start along one axis, and the Gaussian importance of each voxel of a
 * patch. Stateless.
 */
final class SlidingWindow {

    /** nnU-Net's choice: sigma of an eighth of the patch, so a patch's edge weighs e^-8 of its centre per axis. */
    static final double SIGMA_FRACTION = 1.0 / 8;

    private SlidingWindow() {
    }

    /**
     * Starts of the patches along an axis of {@code size} voxels: the first at 0, the last at {@code size - patch}
     * so the end is covered, evenly spaced with steps of at most {@code patch * (1 - overlap)}. One start (0)
     * when the patch covers the axis; the volume is then padded.
     */
    static int[] starts(int size, int patch, double overlap) {
        if (size <= patch) return new int[] {0};
        int step = Math.max(1, (int) Math.floor(patch * (1 - overlap)));
        int count = (int) Math.ceil((double) (size - patch) / step) + 1;
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) starts[i] = (int) Math.round((double) i * (size - patch) / (count - 1));
        return starts;
    }

    /** Gaussian weight along an axis of a patch, 1 at the centre. */
    static float[] gaussian(int patch) {
        double sigma = patch * SIGMA_FRACTION;
        double centre = (patch - 1) / 2.0;
        float[] w = new float[patch];
        for (int i = 0; i < patch; i++) w[i] = (float) Math.exp(-(i - centre) * (i - centre) / (2 * sigma * sigma));
        return w;
    }
}
