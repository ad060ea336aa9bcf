package org.ctai.inference.measure;

/**
 * First-order statistics of the Hounsfield units of a lesion's voxels (on one slice or in the whole lesion).
 *
 * <p>With {@code n} values {@code x} of mean {@code m} and central moments
 * {@code m_k = (1/n) * sum (x - m)^k} (population moments, no {@code n - 1} correction):
 * <ul>
 *   <li>{@code standardDeviationHu = sqrt(m_2)};</li>
 *   <li>{@code skewness = m_3 / m_2^(3/2)} (unitless);</li>
 *   <li>{@code kurtosis = m_4 / m_2^2} (unitless, 3 for a normal distribution): the fourth standardised moment,
 *   which is what PS3.16's Kurtosis (126052, DCM) in the measurement report means; the history and the web page
 *   give the same number (not the excess kurtosis, which subtracts 3);</li>
 *   <li>{@code medianHu}: the middle value, or the mean of the two middle values when {@code n} is even.</li>
 * </ul>
 * When all values are equal ({@code m_2 = 0}) skewness and kurtosis are undefined and reported as 0.
 *
 * @param sampleCount       number of voxels the statistics cover (a count, not a size)
 * @param meanHu            arithmetic mean, HU
 * @param standardDeviationHu population standard deviation, HU
 * @param minHu             smallest value, HU
 * @param maxHu             largest value, HU
 * @param medianHu          median, HU
 * @param skewness          third standardised moment, unitless
 * @param kurtosis          fourth standardised moment, unitless
 */
public record HuStatistics(long sampleCount, double meanHu, double standardDeviationHu, double minHu,
                           double maxHu, double medianHu, double skewness, double kurtosis) {
}
