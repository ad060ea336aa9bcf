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

    /**
     * Levels per axis at most; values beyond go to the last level. 256 bins of 25 HU cover 6400 HU, more than
     * the whole CT range, so only a much finer bin width than the default ever reaches it.
     */
    static final int MAX_LEVELS = 256;

    private Glgcm() {
    }

    /**
     * Counts {@code H[i-1][j-1]} over the lesion pixels of the box {@code (x, y, width, height)} of a slice.
     *
     * @param slice              HU of the whole slice, CV_16SC1; Sobel reads real neighbours outside the box from it
     * @param hu                 the same HU as a row-major array
     * @param mask               row-major {@code width * height} mask over the box; non-zero pixels are counted
     * @param grayBinWidthHu     width of a gray level, HU
     * @param gradientBinWidthHuPerMm width of a gradient level, HU/mm
     * @return a matrix of as many rows as gray levels and columns as gradient levels the lesion uses
     */
    static long[][] matrix(Mat slice, short[] hu, int x, int y, int width, int height, byte[] mask,
                           double rowSpacingMm, double columnSpacingMm,
                           double grayBinWidthHu, double gradientBinWidthHuPerMm) {
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
        int[] grayBin = new int[width * height];
        int[] gradientBin = new int[width * height];
        int lowestGray = Integer.MAX_VALUE, highestGray = Integer.MIN_VALUE, highestGradient = 0;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int k = r * width + c;
                if (mask[k] == 0) continue;
                // Sobel sums 4 weights over a 2-pixel baseline: / 8 gives HU per pixel, / spacing HU per mm
                double perMmX = dx[k] / (8 * columnSpacingMm);
                double perMmY = dy[k] / (8 * rowSpacingMm);
                gradientBin[k] = bin(Math.sqrt(perMmX * perMmX + perMmY * perMmY), gradientBinWidthHuPerMm);
                grayBin[k] = bin(hu[(y + r) * columns + x + c], grayBinWidthHu);
                lowestGray = Math.min(lowestGray, grayBin[k]);
                highestGray = Math.max(highestGray, grayBin[k]);
                highestGradient = Math.max(highestGradient, gradientBin[k]);
            }
        }
        if (lowestGray == Integer.MAX_VALUE) throw new IllegalArgumentException("empty lesion mask");
        int grayLevels = (int) Math.min(MAX_LEVELS, (long) highestGray - lowestGray + 1);
        int gradientLevels = Math.min(MAX_LEVELS, highestGradient + 1);
        long[][] counts = new long[grayLevels][gradientLevels];
        for (int k = 0; k < mask.length; k++) {
            if (mask[k] == 0) continue;
            counts[Math.min(grayLevels - 1, grayBin[k] - lowestGray)][Math.min(gradientLevels - 1, gradientBin[k])]++;
        }
        return counts;
    }

    /**
     * The 0-based bin of {@code value} for bins of {@code width} whose edges are the multiples of the width
     * ({@code floor(value / width)}, as PyRadiomics bins): -10 and +10 HU fall in different bins of 25 HU.
     */
    static int bin(double value, double width) {
        return (int) Math.max(Integer.MIN_VALUE / 2, Math.min(Integer.MAX_VALUE / 2, Math.floor(value / width)));
    }

    /** The 15 features of a count matrix {@code H[i-1][j-1]}, formulas as documented on {@link TextureFeatures}. */
    static TextureFeatures features(long[][] counts) {
        int n = counts.length;
        int m = n == 0 ? 0 : counts[0].length;
        double total = 0;
        for (long[] row : counts) for (long h : row) total += h;
        if (!(total > 0)) throw new IllegalArgumentException("empty co-occurrence matrix");
        double[] grayMarginal = new double[n];     // Pi(i), index i-1
        double[] gradientMarginal = new double[m]; // Pj(j), index j-1
        double small = 0, large = 0, energy = 0, mixedEntropy = 0, inertia = 0, idm = 0;
        for (int a = 0; a < n; a++) {
            int i = a + 1;
            for (int b = 0; b < m; b++) {
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
            // (sum_j H)^2 / N = N * Pi^2
            grayNonUniformity += total * grayMarginal[a] * grayMarginal[a];
            if (grayMarginal[a] > 0) grayEntropy -= grayMarginal[a] * Math.log(grayMarginal[a]);
        }
        for (int b = 0; b < m; b++) {
            gradientMean += (b + 1) * gradientMarginal[b];
            gradientNonUniformity += total * gradientMarginal[b] * gradientMarginal[b];
            if (gradientMarginal[b] > 0) gradientEntropy -= gradientMarginal[b] * Math.log(gradientMarginal[b]);
        }
        double grayVariance = 0, gradientVariance = 0, covariance = 0;
        for (int b = 0; b < m; b++) {
            gradientVariance += (b + 1 - gradientMean) * (b + 1 - gradientMean) * gradientMarginal[b];
        }
        for (int a = 0; a < n; a++) {
            grayVariance += (a + 1 - grayMean) * (a + 1 - grayMean) * grayMarginal[a];
            for (int b = 0; b < m; b++) {
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
