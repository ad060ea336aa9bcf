package org.ctai.inference.measure;

/**
 * The 15 texture features of the gray-level gradient co-occurrence matrix (GLGCM, Hong Jiguang 1984) of a
 * lesion on one slice. All are unitless.
 *
 * <p><b>Matrix.</b> The region is the lesion's bounding box on the slice (every pixel of the box, lesion or
 * not, as in the original method). Gray level: the HU of the box quantised to {@code L = 15} levels over
 * the box's own range, {@code i = min(L, 1 + floor(L * (hu - huMin) / (huMax - huMin)))}, so the brightest
 * pixel gets level 15 and a box of a single HU value is all level 1. Gradient: the 3x3 Sobel derivatives
 * of the HU, scaled to HU per mm ({@code gx = sobelX / (8 * columnSpacingMm)},
 * {@code gy = sobelY / (8 * rowSpacingMm)}, so anisotropic pixels weigh both axes right), magnitude
 * {@code g = sqrt(gx^2 + gy^2)}, quantised over {@code 0..gMax} of the box:
 * {@code j = min(L, 1 + floor(L * g / gMax))} (all level 1 when the box is flat). Sobel reads the real
 * neighbours outside the box where the slice has them and mirrors at the slice border (OpenCV's
 * BORDER_REFLECT_101). {@code H(i, j)} counts the box pixels with gray level {@code i} and gradient level
 * {@code j}, {@code N = sum H}, and {@code P(i, j) = H(i, j) / N} is the normalised matrix, with marginals
 * {@code Pi(i) = sum_j P(i, j)} and {@code Pj(j) = sum_i P(i, j)}. Indices run from 1 to 15. Logarithms are
 * natural (entropies in nats); {@code 0 * ln 0 = 0}.
 *
 * @param smallGradientDominance   {@code T1 = sum_ij H(i,j) / j^2 / N}
 * @param largeGradientDominance   {@code T2 = sum_ij H(i,j) * j^2 / N}
 * @param grayLevelNonUniformity   {@code T3 = sum_i (sum_j H(i,j))^2 / N}; uses counts, so it grows with
 *                                 the box (divide by the box's pixel count for a 0..1 value)
 * @param gradientNonUniformity    {@code T4 = sum_j (sum_i H(i,j))^2 / N}; grows with the box like T3
 * @param energy                   {@code T5 = sum_ij P(i,j)^2}
 * @param grayMean                 {@code T6 = sum_i i * Pi(i)}
 * @param gradientMean             {@code T7 = sum_j j * Pj(j)}
 * @param grayStandardDeviation    {@code T8 = sqrt(sum_i (i - T6)^2 * Pi(i))}
 * @param gradientStandardDeviation {@code T9 = sqrt(sum_j (j - T7)^2 * Pj(j))}
 * @param correlation              {@code T10 = sum_ij (i - T6)(j - T7) P(i,j) / (T8 * T9)}; 0 when T8 or T9 is 0
 * @param grayEntropy              {@code T11 = -sum_i Pi(i) ln Pi(i)}
 * @param gradientEntropy          {@code T12 = -sum_j Pj(j) ln Pj(j)}
 * @param mixedEntropy             {@code T13 = -sum_ij P(i,j) ln P(i,j)}
 * @param inertia                  {@code T14 = sum_ij (i - j)^2 P(i,j)}
 * @param inverseDifferenceMoment  {@code T15 = sum_ij P(i,j) / (1 + (i - j)^2)}
 */
public record TextureFeatures(double smallGradientDominance, double largeGradientDominance,
                              double grayLevelNonUniformity, double gradientNonUniformity, double energy,
                              double grayMean, double gradientMean, double grayStandardDeviation,
                              double gradientStandardDeviation, double correlation, double grayEntropy,
                              double gradientEntropy, double mixedEntropy, double inertia,
                              double inverseDifferenceMoment) {

    /** Number of gray levels and of gradient levels of the matrix. */
    public static final int LEVELS = 15;
}
