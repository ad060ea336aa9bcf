package org.ctai.inference.measure;

import org.ctai.inference.Geometry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.ctai.inference.measure.SyntheticSeries.axial;
import static org.ctai.inference.measure.SyntheticSeries.block;

/**
 * Every GLGCM feature against arithmetic done by hand. Levels are 1-based; H is written as (gray, gradient) = count.
 */
class GlgcmTest {

    private static final double EPS = 1e-9;

    @BeforeAll
    static void loadOpenCv() {
        nu.pattern.OpenCV.loadLocally();
    }

    private static long[][] matrix(int[]... cells) {
        long[][] h = new long[15][15];
        for (int[] cell : cells) h[cell[0] - 1][cell[1] - 1] = cell[2];
        return h;
    }

    @Test
    void allFifteenFeaturesOfASmallMatrixMatchHandComputation() {
        // H: (1,1) = 2, (2,1) = 1, (2,3) = 1; N = 4
        // P: (1,1) = 0.5, (2,1) = 0.25, (2,3) = 0.25
        // gray marginal Pi: Pi(1) = 0.5, Pi(2) = 0.5; gradient marginal Pj: Pj(1) = 0.75, Pj(3) = 0.25
        TextureFeatures t = Glgcm.features(matrix(new int[] {1, 1, 2}, new int[] {2, 1, 1}, new int[] {2, 3, 1}));

        assertThat(t.smallGradientDominance()).isCloseTo((2 / 1.0 + 1 / 1.0 + 1 / 9.0) / 4, within(EPS)); // 0.7778
        assertThat(t.largeGradientDominance()).isCloseTo((2 * 1 + 1 * 1 + 1 * 9) / 4.0, within(EPS));     // 3
        assertThat(t.grayLevelNonUniformity()).isCloseTo((2 * 2 + 2 * 2) / 4.0, within(EPS));             // rows sum to 2 and 2: 2
        assertThat(t.gradientNonUniformity()).isCloseTo((3 * 3 + 1 * 1) / 4.0, within(EPS));             // columns 3 and 1: 2.5
        assertThat(t.energy()).isCloseTo(0.25 + 0.0625 + 0.0625, within(EPS));                            // 0.375
        assertThat(t.grayMean()).isCloseTo(1 * 0.5 + 2 * 0.5, within(EPS));                               // 1.5
        assertThat(t.gradientMean()).isCloseTo(1 * 0.75 + 3 * 0.25, within(EPS));                         // 1.5
        assertThat(t.grayStandardDeviation()).isCloseTo(Math.sqrt(0.25 * 0.5 + 0.25 * 0.5), within(EPS)); // 0.5
        assertThat(t.gradientStandardDeviation()).isCloseTo(Math.sqrt(0.25 * 0.75 + 2.25 * 0.25), within(EPS)); // sqrt(0.75)
        // sum (i - 1.5)(j - 1.5) P = (-0.5)(-0.5)(0.5) + (0.5)(-0.5)(0.25) + (0.5)(1.5)(0.25) = 0.125 - 0.0625 + 0.1875 = 0.25
        assertThat(t.correlation()).isCloseTo(0.25 / (0.5 * Math.sqrt(0.75)), within(EPS));               // 1/sqrt(3)
        assertThat(t.grayEntropy()).isCloseTo(-(0.5 * Math.log(0.5) + 0.5 * Math.log(0.5)), within(EPS)); // ln 2
        assertThat(t.gradientEntropy()).isCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), within(EPS));
        assertThat(t.mixedEntropy()).isCloseTo(-(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25)), within(EPS));
        assertThat(t.inertia()).isCloseTo(0 * 0.5 + 1 * 0.25 + 1 * 0.25, within(EPS));                    // (2-1)^2, (2-3)^2
        assertThat(t.inverseDifferenceMoment()).isCloseTo(0.5 / 1 + 0.25 / 2 + 0.25 / 2, within(EPS));   // 0.75
    }

    /**
     * A 5x5 slice of 0 HU with one pixel of 80 HU in the middle; the box is the central 3x3.
     * Sobel x kernel [-1 0 1; -2 0 2; -1 0 1], y kernel its transpose; only the bright pixel contributes:
     * corner (1,1): the bright pixel is at (+1,+1), weight +1 in both: gx = gy = 80, |g| = 80 sqrt 2 = 113.1;
     * edge (1,2): bright at (+1,0): gx = 0, gy = 2 * 80 = 160, |g| = 160 (same for the other 3 edges);
     * centre: bright at (0,0), weight 0: |g| = 0. Per mm at 1 mm pixels everything is divided by 8, which
     * the quantisation over 0..max cancels.
     * Gradient levels over 0..160: edges 1 + floor(15) = 16 -> 15; corners 1 + floor(15 * 113.137 / 160)
     * = 1 + floor(10.61) = 11; centre 1. Gray levels over HU 0..80: centre 15, the rest 1.
     * H: (1,15) = 4, (1,11) = 4, (15,1) = 1; N = 9.
     */
    private static short[] brightCentre() {
        short[] hu = new short[25];
        hu[2 * 5 + 2] = 80;
        return hu;
    }

    @Test
    void matrixOfABrightCentrePixelMatchesHandComputedSobelAndQuantisation() {
        long[][] h = countsOf(brightCentre(), 1.0, 1.0);

        assertThat(h[0][14]).isEqualTo(4);
        assertThat(h[0][10]).isEqualTo(4);
        assertThat(h[14][0]).isEqualTo(1);
        assertThat(java.util.Arrays.stream(h).flatMapToLong(java.util.Arrays::stream).sum()).isEqualTo(9);
    }

    @Test
    void gradientIsPerMillimetreSoRowsAndColumnsWeighByTheirSpacing() {
        // rows 2 mm apart, columns 1 mm: gx / (8 * 1), gy / (8 * 2) in HU/mm
        // left/right edges: gx = 160 -> 20; top/bottom: gy = 160 -> 10; corners: sqrt(10^2 + 5^2) = 11.18; centre 0
        // levels over 0..20: 20 -> 15; 10 -> 1 + floor(7.5) = 8; 11.18 -> 1 + floor(8.385) = 9; 0 -> 1
        long[][] h = countsOf(brightCentre(), 2.0, 1.0);

        assertThat(h[0][14]).isEqualTo(2);
        assertThat(h[0][7]).isEqualTo(2);
        assertThat(h[0][8]).isEqualTo(4);
        assertThat(h[14][0]).isEqualTo(1);
    }

    @Test
    void negativeHuAreQuantisedOverTheBoxRangeWithoutWrapAround() {
        // gray levels of -1000, -950, -900 over -1000..-900: 1, 1 + floor(15 * 50 / 100) = 8, 15
        assertThat(Glgcm.level(-1000 - -1000, 100)).isEqualTo(1);
        assertThat(Glgcm.level(-950 - -1000, 100)).isEqualTo(8);
        assertThat(Glgcm.level(-900 - -1000, 100)).isEqualTo(15);
        assertThat(Glgcm.level(5, 0)).isEqualTo(1);
    }

    @Test
    void measuredLesionCarriesTheHandComputedFeaturesOfItsBox() {
        Geometry g = axial(5, 5, 1, 1, 1, 1);
        Lesion lesion = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0))
                .measure(g, 1, List.of(block(g, 1, 1, 3, 3)), z -> brightCentre()).get(0);
        TextureFeatures t = lesion.slices().get(0).texture();

        // P: (1,15) = 4/9, (1,11) = 4/9, (15,1) = 1/9; Pi(1) = 8/9, Pi(15) = 1/9; Pj(15) = Pj(11) = 4/9, Pj(1) = 1/9
        double a = 4 / 9.0, b = 1 / 9.0;
        assertThat(t.smallGradientDominance()).isCloseTo(a / 225 + a / 121 + b / 1, within(EPS));
        assertThat(t.largeGradientDominance()).isCloseTo((4 * 225 + 4 * 121 + 1) / 9.0, within(EPS)); // 1385 / 9
        assertThat(t.grayLevelNonUniformity()).isCloseTo((8 * 8 + 1 * 1) / 9.0, within(EPS));          // 65 / 9
        assertThat(t.gradientNonUniformity()).isCloseTo((4 * 4 + 4 * 4 + 1 * 1) / 9.0, within(EPS));   // 33 / 9
        assertThat(t.energy()).isCloseTo(a * a + a * a + b * b, within(EPS));                          // 33 / 81
        double grayMean = 1 * (8 / 9.0) + 15 * b;            // 23 / 9
        double gradientMean = 15 * a + 11 * a + 1 * b;       // 105 / 9
        assertThat(t.grayMean()).isCloseTo(23 / 9.0, within(EPS));
        assertThat(t.gradientMean()).isCloseTo(105 / 9.0, within(EPS));
        double graySd = Math.sqrt(Math.pow(1 - grayMean, 2) * (8 / 9.0) + Math.pow(15 - grayMean, 2) * b);
        double gradientSd = Math.sqrt(Math.pow(15 - gradientMean, 2) * a + Math.pow(11 - gradientMean, 2) * a
                + Math.pow(1 - gradientMean, 2) * b);
        assertThat(t.grayStandardDeviation()).isCloseTo(graySd, within(EPS));
        assertThat(t.gradientStandardDeviation()).isCloseTo(gradientSd, within(EPS));
        double covariance = (1 - grayMean) * (15 - gradientMean) * a + (1 - grayMean) * (11 - gradientMean) * a
                + (15 - grayMean) * (1 - gradientMean) * b;
        assertThat(t.correlation()).isCloseTo(covariance / (graySd * gradientSd), within(EPS));
        assertThat(t.correlation()).isNegative(); // the bright pixel is the flat one
        assertThat(t.grayEntropy()).isCloseTo(-((8 / 9.0) * Math.log(8 / 9.0) + b * Math.log(b)), within(EPS));
        assertThat(t.gradientEntropy()).isCloseTo(-(2 * a * Math.log(a) + b * Math.log(b)), within(EPS));
        assertThat(t.mixedEntropy()).isCloseTo(-(2 * a * Math.log(a) + b * Math.log(b)), within(EPS));
        assertThat(t.inertia()).isCloseTo((14 * 14 * 4 + 10 * 10 * 4 + 14 * 14 * 1) / 9.0, within(EPS)); // 1380 / 9
        assertThat(t.inverseDifferenceMoment()).isCloseTo(a / (1 + 196) + a / (1 + 100) + b / (1 + 196), within(EPS));
    }

    @Test
    void flatBoxPutsEveryPixelAtLevelOne() {
        TextureFeatures t = Glgcm.features(countsOf(new short[25], 1.0, 1.0));

        assertThat(t.energy()).isCloseTo(1, within(EPS));
        assertThat(t.grayMean()).isCloseTo(1, within(EPS));
        assertThat(t.gradientMean()).isCloseTo(1, within(EPS));
        assertThat(t.mixedEntropy()).isCloseTo(0, within(EPS));
        assertThat(t.correlation()).isZero();
        assertThat(t.grayLevelNonUniformity()).isCloseTo(9, within(EPS)); // 9^2 / 9
    }

    /** The central 3x3 box of a 5x5 slice. */
    private static long[][] countsOf(short[] hu, double rowSpacingMm, double columnSpacingMm) {
        Mat slice = new Mat(5, 5, CvType.CV_16SC1);
        try {
            slice.put(0, 0, hu);
            return Glgcm.matrix(slice, hu, 1, 1, 3, 3, rowSpacingMm, columnSpacingMm);
        } finally {
            slice.release();
        }
    }
}
