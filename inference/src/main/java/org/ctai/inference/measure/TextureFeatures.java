package org.ctai.inference.measure;

/**
 * The 15 texture features of the gray-level gradient co-occurrence matrix (GLGCM, Hong Jiguang 1984) of a
 * lesion on one slice. All are unitless.
 *
 * <p><b>Matrix.</b> The region is the lesion's pixels on the slice (its mask, not its bounding box), and
 * both axes use <b>fixed bin widths</b> so that a level means the same HU (and HU/mm) on every slice, study
 * and patient: quantising over each region's own range, as the original method does, gives a faint and a
 * strongly enhancing lesion the same levels. Gray level: bins of {@code w = }
 * {@link MeasurementSettings#glgcmBinWidthHu()} (default 25 HU, as PyRadiomics recommends for CT) whose
 * edges are the multiples of {@code w}, numbered from the lowest bin the lesion uses on the slice, as
 * PyRadiomics numbers them: {@code i = floor(hu / w) - floor(huMin / w) + 1}. Gradient: the 3x3 Sobel
 * derivatives of the HU, scaled to HU per mm ({@code gx = sobelX / (8 * columnSpacingMm)},
 * {@code gy = sobelY / (8 * rowSpacingMm)}, so anisotropic pixels weigh both axes right), magnitude
 * {@code g = sqrt(gx^2 + gy^2)}, in bins of {@code v = }
 * {@link MeasurementSettings#glgcmGradientBinWidthHuPerMm()} (default 5 HU/mm) from 0:
 * {@code j = floor(g / v) + 1}. Each axis has as many levels as the lesion uses (at most 256; beyond,
 * the last level). Sobel reads the real neighbours around each lesion pixel, inside the lesion or not, and
 * mirrors at the slice border (OpenCV's BORDER_REFLECT_101). {@code H(i, j)} counts the lesion pixels with
 * gray level {@code i} and gradient level {@code j}, {@code N = sum H}, and {@code P(i, j) = H(i, j) / N} is
 * the normalised matrix, with marginals {@code Pi(i) = sum_j P(i, j)} and {@code Pj(j) = sum_i P(i, j)}.
 * Indices run from 1. Logarithms are natural (entropies in nats); {@code 0 * ln 0 = 0}. Because gray levels
 * are numbered from the lesion's lowest bin, T6 (gray mean) and T14 (inertia, which mixes gray and gradient
 * levels) depend on that lowest bin; the others do not.
 *
 * @param smallGradientDominance   {@code T1 = sum_ij H(i,j) / j^2 / N}
 * @param largeGradientDominance   {@code T2 = sum_ij H(i,j) * j^2 / N}
 * @param grayLevelNonUniformity   {@code T3 = sum_i (sum_j H(i,j))^2 / N}; uses counts, so it grows with
 *                                 the lesion (divide by its pixel count for a 0..1 value)
 * @param gradientNonUniformity    {@code T4 = sum_j (sum_i H(i,j))^2 / N}; grows with the lesion like T3
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
}
