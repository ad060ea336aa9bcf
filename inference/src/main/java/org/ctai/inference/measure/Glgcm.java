package org.ctai.inference.measure;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.imgproc.Imgproc;

/**
 * Gray-level gradient co-occurrence matrix and its 15 features; the definitions are on
 * {@link TextureFeatures}. Stateless.
 */
final class Glgcm {

    static final int LEVELS = TextureFeatures.LEVELS;

    private Glgcm() {
    }

    /**
     * Counts {@code H[i-1][j-1]} over the box {@code (x, y, width, height)} of a slice.
     *
     * @param slice HU of the whole slice, CV_16SC1; Sobel reads real neighbours outside the box from it
     * @param hu    the same HU as a row-major array
     */
    static long[][] matrix(Mat slice, short[] hu, int x, int y, int width, int height,
                           double rowSpacingMm, double columnSpacingMm) {
        float[] dx = new float[width * height];
        float[] dy = new float[width * height];
        Mat box = slice.submat(new Rect(x, y, width, height));
        Mat gx = new Mat();
        Mat gy = new Mat();
        try {
            // A submat is not isolated: OpenCV filters it with the parent's pixels around it, and mirrors
            // (BORDER_REFLECT_101) only where the box touches the slice border.
            Imgproc.Sobel(box, gx, CvType.CV_32F, 1, 0, 3, 1, 0, Core.BORDER_REFLECT_101);
            Imgproc.Sobel(box, gy, CvType.CV_32F, 0, 1, 3, 1, 0, Core.BORDER_REFLECT_101);
            gx.get(0, 0, dx);
            gy.get(0, 0, dy);
        } finally {
            box.release();
            gx.release();
            gy.release();
        }
        int columns = slice.cols();
        double[] gradient = new double[width * height];
        double gradientMax = 0;
        int huMin = Integer.MAX_VALUE, huMax = Integer.MIN_VALUE;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int k = r * width + c;
                // Sobel sums 4 weights over a 2-pixel baseline: / 8 gives HU per pixel, / spacing HU per mm
                double perMmX = dx[k] / (8 * columnSpacingMm);
                double perMmY = dy[k] / (8 * rowSpacingMm);
                gradient[k] = Math.sqrt(perMmX * perMmX + perMmY * perMmY);
                gradientMax = Math.max(gradientMax, gradient[k]);
                int value = hu[(y + r) * columns + x + c];
                huMin = Math.min(huMin, value);
                huMax = Math.max(huMax, value);
            }
        }
        long[][] counts = new long[LEVELS][LEVELS];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int k = r * width + c;
                int gray = level(hu[(y + r) * columns + x + c] - huMin, huMax - huMin);
                int grad = level(gradient[k], gradientMax);
                counts[gray - 1][grad - 1]++;
            }
        }
        return counts;
    }

    /** {@code min(L, 1 + floor(L * value / range))}, and 1 for an empty range. */
    static int level(double value, double range) {
        if (!(range > 0)) return 1;
        return Math.min(LEVELS, 1 + (int) Math.floor(LEVELS * value / range));
    }

    /** The 15 features of a count matrix {@code H[i-1][j-1]}, formulas as documented on {@link TextureFeatures}. */
    static TextureFeatures features(long[][] counts) {
        int n = counts.length;
        double total = 0;
        for (long[] row : counts) for (long h : row) total += h;
        if (!(total > 0)) throw new IllegalArgumentException("empty co-occurrence matrix");
        double[] grayMarginal = new double[n];     // Pi(i), index i-1
        double[] gradientMarginal = new double[n]; // Pj(j), index j-1
        double small = 0, large = 0, energy = 0, mixedEntropy = 0, inertia = 0, idm = 0;
        for (int a = 0; a < n; a++) {
            int i = a + 1;
            for (int b = 0; b < n; b++) {
                int j = b + 1;
                double p = counts[a][b] / total;
                grayMarginal[a] += p;
                gradientMarginal[b] += p;
                small += p / ((double) j * j);
                large += p * j * j;
                energy += p * p;
                if (p > 0) mixedEntropy -= p * Math.log(p);
                inertia += (double) (i - j) * (i - j) * p;
                idm += p / (1.0 + (i - j) * (i - j));
            }
        }
        double grayMean = 0, gradientMean = 0, grayNonUniformity = 0, gradientNonUniformity = 0;
        double grayEntropy = 0, gradientEntropy = 0;
        for (int a = 0; a < n; a++) {
            grayMean += (a + 1) * grayMarginal[a];
            gradientMean += (a + 1) * gradientMarginal[a];
            // (sum_j H)^2 / N = N * Pi^2
            grayNonUniformity += total * grayMarginal[a] * grayMarginal[a];
            gradientNonUniformity += total * gradientMarginal[a] * gradientMarginal[a];
            if (grayMarginal[a] > 0) grayEntropy -= grayMarginal[a] * Math.log(grayMarginal[a]);
            if (gradientMarginal[a] > 0) gradientEntropy -= gradientMarginal[a] * Math.log(gradientMarginal[a]);
        }
        double grayVariance = 0, gradientVariance = 0, covariance = 0;
        for (int a = 0; a < n; a++) {
            grayVariance += (a + 1 - grayMean) * (a + 1 - grayMean) * grayMarginal[a];
            gradientVariance += (a + 1 - gradientMean) * (a + 1 - gradientMean) * gradientMarginal[a];
            for (int b = 0; b < n; b++) {
                covariance += (a + 1 - grayMean) * (b + 1 - gradientMean) * counts[a][b] / total;
            }
        }
        double graySd = Math.sqrt(grayVariance);
        double gradientSd = Math.sqrt(gradientVariance);
        double correlation = graySd > 0 && gradientSd > 0 ? covariance / (graySd * gradientSd) : 0;
        return new TextureFeatures(small, large, grayNonUniformity, gradientNonUniformity, energy, grayMean,
                gradientMean, graySd, gradientSd, correlation, grayEntropy, gradientEntropy, mixedEntropy,
                inertia, idm);
    }
}
