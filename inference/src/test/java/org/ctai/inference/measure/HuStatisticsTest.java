package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.ctai.inference.measure.SyntheticSeries.axial;
import static org.ctai.inference.measure.SyntheticSeries.block;

class HuStatisticsTest {

    private static final double EPS = 1e-9;

    private static HuHistogram histogramOf(int... values) {
        HuHistogram h = new HuHistogram();
        for (int v : values) h.add(v);
        return h;
    }

    @Test
    void fourValuesWithOneOutlierMatchHandComputedMoments() {
        // 0, 0, 0, 10: mean 2.5, deviations -2.5 (x3) and 7.5
        // m2 = (3 * 6.25 + 56.25) / 4 = 18.75
        // m3 = (3 * -15.625 + 421.875) / 4 = 93.75
        // m4 = (3 * 39.0625 + 3164.0625) / 4 = 820.3125
        HuStatistics s = histogramOf(0, 10, 0, 0).statistics();

        assertThat(s.sampleCount()).isEqualTo(4);
        assertThat(s.meanHu()).isCloseTo(2.5, within(EPS));
        assertThat(s.standardDeviationHu()).isCloseTo(Math.sqrt(18.75), within(EPS));
        assertThat(s.minHu()).isEqualTo(0);
        assertThat(s.maxHu()).isEqualTo(10);
        assertThat(s.medianHu()).isEqualTo(0); // (0 + 0) / 2, the two middle values of 0 0 0 10
        assertThat(s.skewness()).isCloseTo(93.75 / Math.pow(18.75, 1.5), within(EPS)); // 1.1547
        assertThat(s.kurtosis()).isCloseTo(820.3125 / (18.75 * 18.75), within(EPS)); // 2.3333
    }

    @Test
    void symmetricNegativeValuesHaveZeroSkewAndTheMiddleAsMedian() {
        // -20, 10, 40: mean 10, deviations -30, 0, 30; m2 = 1800 / 3 = 600; m3 = 0; m4 = 2 * 810000 / 3 = 540000
        HuStatistics s = histogramOf(40, -20, 10).statistics();

        assertThat(s.meanHu()).isCloseTo(10, within(EPS));
        assertThat(s.standardDeviationHu()).isCloseTo(Math.sqrt(600), within(EPS));
        assertThat(s.medianHu()).isEqualTo(10);
        assertThat(s.minHu()).isEqualTo(-20);
        assertThat(s.skewness()).isCloseTo(0, within(EPS));
        assertThat(s.kurtosis()).isCloseTo(540000.0 / 360000.0, within(EPS)); // 1.5
    }

    @Test
    void evenCountMedianIsTheMeanOfTheTwoMiddleValues() {
        assertThat(histogramOf(-1000, 3, 8, 2000).statistics().medianHu()).isEqualTo(5.5);
    }

    @Test
    void constantValuesHaveZeroSpreadSkewAndKurtosis() {
        HuStatistics s = histogramOf(-7, -7, -7).statistics();

        assertThat(s.standardDeviationHu()).isZero();
        assertThat(s.skewness()).isZero();
        assertThat(s.kurtosis()).isZero();
        assertThat(s.medianHu()).isEqualTo(-7);
    }

    @Test
    void lesionStatisticsPoolTheVoxelsOfAllItsSlices() {
        // slice 0: a 2x2 block with HU 0, 0, 0, 10; slice 1 the same place with -20, 10, 40, 10
        Geometry g = axial(6, 6, 1, 1, 2, 1);
        byte[] mask = block(g, 2, 2, 3, 3);
        short[] first = new short[36];
        first[2 * 6 + 2] = 0; first[2 * 6 + 3] = 0; first[3 * 6 + 2] = 0; first[3 * 6 + 3] = 10;
        short[] second = new short[36];
        second[2 * 6 + 2] = -20; second[2 * 6 + 3] = 10; second[3 * 6 + 2] = 40; second[3 * 6 + 3] = 10;
        Lesion lesion = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0))
                .measure(g, 1, List.of(mask, mask), z -> z == 0 ? first : second).get(0);

        // pooled, sorted: -20 0 0 0 10 10 10 40; n = 8, sum = 50
        double m = 50.0 / 8;
        double m2 = ((-20 - m) * (-20 - m) + 3 * m * m + 3 * (10 - m) * (10 - m) + (40 - m) * (40 - m)) / 8;
        double m3 = (Math.pow(-20 - m, 3) + 3 * Math.pow(-m, 3) + 3 * Math.pow(10 - m, 3) + Math.pow(40 - m, 3)) / 8;
        HuStatistics s = lesion.hu();
        assertThat(s.sampleCount()).isEqualTo(8);
        assertThat(s.meanHu()).isCloseTo(6.25, within(EPS));
        assertThat(s.medianHu()).isEqualTo(5); // (0 + 10) / 2
        assertThat(s.minHu()).isEqualTo(-20);
        assertThat(s.maxHu()).isEqualTo(40);
        assertThat(s.standardDeviationHu()).isCloseTo(Math.sqrt(m2), within(EPS));
        assertThat(s.skewness()).isCloseTo(m3 / Math.pow(m2, 1.5), within(EPS));
        assertThat(lesion.slices().get(0).hu().meanHu()).isCloseTo(2.5, within(EPS));
        assertThat(lesion.slices().get(1).hu().medianHu()).isEqualTo(10);
    }
}
