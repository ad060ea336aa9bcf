package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
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
     * A 5x5 slice of 0 HU with one pixel of 80 HU in the middle; the lesion is the central 3x3.
     * Sobel x kernel [-1 0 1; -2 0 2; -1 0 1], y kernel its transpose; only the bright pixel contributes:
     * corner (1,1): the bright pixel is at (+1,+1), weight +1 in both: gx = gy = 80, |g| = 80 sqrt 2 = 113.1;
     * edge (1,2): bright at (+1,0): gx = 0, gy = 2 * 80 = 160, |g| = 160 (same for the other 3 edges);
     * centre: bright at (0,0), weight 0: |g| = 0. Per mm at 1 mm pixels everything is divided by 8:
     * edges 20 HU/mm, corners 14.14 HU/mm, centre 0.
     * Gradient levels of 5 HU/mm from 0: edges floor(4) + 1 = 5; corners floor(2.83) + 1 = 3; centre 1.
     * Gray levels of 25 HU: 0 HU is bin 0, 80 HU bin 3; numbered from the lowest bin (0): 1 and 4.
     * H: (1,5) = 4, (1,3) = 4, (4,1) = 1; N = 9; 4 gray levels by 5 gradient levels.
     */
    private static short[] brightCentre() {
        short[] hu = new short[25];
        hu[2 * 5 + 2] = 80;
        return hu;
    }

    @Test
    void matrixOfABrightCentrePixelMatchesHandComputedSobelAndFixedBins() {
        long[][] h = countsOf(brightCentre(), 1.0, 1.0);

        assertThat(h.length).isEqualTo(4);
        assertThat(h[0].length).isEqualTo(5);
        assertThat(h[0][4]).isEqualTo(4);
        assertThat(h[0][2]).isEqualTo(4);
        assertThat(h[3][0]).isEqualTo(1);
        assertThat(java.util.Arrays.stream(h).flatMapToLong(java.util.Arrays::stream).sum()).isEqualTo(9);
    }

    @Test
    void gradientIsPerMillimetreSoRowsAndColumnsWeighByTheirSpacing() {
        // rows 2 mm apart, columns 1 mm: gx / (8 * 1), gy / (8 * 2) in HU/mm
        // left/right edges: gx = 160 -> 20; top/bottom: gy = 160 -> 10; corners: sqrt(10^2 + 5^2) = 11.18; centre 0
        // levels of 5 HU/mm: 20 -> 5; 10 -> 3; 11.18 -> 3; 0 -> 1
        long[][] h = countsOf(brightCentre(), 2.0, 1.0);

        assertThat(h[0][4]).isEqualTo(2);
        assertThat(h[0][2]).isEqualTo(6);
        assertThat(h[3][0]).isEqualTo(1);
    }

    @Test
    void binEdgesAreTheMultiplesOfTheBinWidthAlsoBelowZero() {
        assertThat(Glgcm.bin(-1000, 25)).isEqualTo(-40);
        assertThat(Glgcm.bin(-990, 25)).isEqualTo(-40);
        assertThat(Glgcm.bin(-1010, 25)).isEqualTo(-41);
        assertThat(Glgcm.bin(-10, 25)).isEqualTo(-1);
        assertThat(Glgcm.bin(10, 25)).isEqualTo(0);
        assertThat(Glgcm.bin(25, 25)).isEqualTo(1);
    }

    @Test
    void onlyTheLesionPixelsAreCountedNotTheWholeBox() {
        // an L of 5 pixels in the 3x3 box: left column and bottom row
        byte[] mask = {1, 0, 0, 1, 0, 0, 1, 1, 1};
        long[][] h = countsOf(brightCentre(), mask, 1.0, 1.0, 25, 5);

        // left column: corner, edge, corner; bottom row adds edge, corner: gradient levels 3, 5, 3, 5, 3
        assertThat(h.length).isEqualTo(1); // the bright centre is not in the lesion: one gray level
        assertThat(h[0]).containsExactly(0, 0, 3, 0, 2);
    }

    @Test
    void theBinWidthIsTheSetting() {
        // 50 HU bins: 80 HU is bin 1, so level 2; 10 HU/mm gradient bins: edges level 3, corners 2
        long[][] h = countsOf(brightCentre(), new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1.0, 1.0, 50, 10);

        assertThat(h.length).isEqualTo(2);
        assertThat(h[0]).containsExactly(0, 4, 4);
        assertThat(h[1]).containsExactly(1, 0, 0);
    }

    @Test
    void measuredLesionCarriesTheHandComputedFeaturesOfItsPixels() {
        Geometry g = axial(5, 5, 1, 1, 1, 1);
        Lesion lesion = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0))
                .measure(g, 1, List.of(block(g, 1, 1, 3, 3)), z -> brightCentre()).get(0);
        TextureFeatures t = lesion.slices().get(0).texture();

        // P: (1,5) = 4/9, (1,3) = 4/9, (4,1) = 1/9; Pi(1) = 8/9, Pi(4) = 1/9; Pj(5) = Pj(3) = 4/9, Pj(1) = 1/9
        double a = 4 / 9.0, b = 1 / 9.0;
        assertThat(t.smallGradientDominance()).isCloseTo(a / 25 + a / 9 + b / 1, within(EPS));
        assertThat(t.largeGradientDominance()).isCloseTo((4 * 25 + 4 * 9 + 1) / 9.0, within(EPS)); // 137 / 9
        assertThat(t.grayLevelNonUniformity()).isCloseTo((8 * 8 + 1 * 1) / 9.0, within(EPS));     // 65 / 9
        assertThat(t.gradientNonUniformity()).isCloseTo((4 * 4 + 4 * 4 + 1 * 1) / 9.0, within(EPS)); // 33 / 9
        assertThat(t.energy()).isCloseTo(a * a + a * a + b * b, within(EPS));                     // 33 / 81
        double grayMean = 1 * (8 / 9.0) + 4 * b;          // 12 / 9
        double gradientMean = 5 * a + 3 * a + 1 * b;      // 33 / 9
        assertThat(t.grayMean()).isCloseTo(12 / 9.0, within(EPS));
        assertThat(t.gradientMean()).isCloseTo(33 / 9.0, within(EPS));
        double graySd = Math.sqrt(Math.pow(1 - grayMean, 2) * (8 / 9.0) + Math.pow(4 - grayMean, 2) * b);
        double gradientSd = Math.sqrt(Math.pow(5 - gradientMean, 2) * a + Math.pow(3 - gradientMean, 2) * a
                + Math.pow(1 - gradientMean, 2) * b);
        assertThat(t.grayStandardDeviation()).isCloseTo(graySd, within(EPS));
        assertThat(t.gradientStandardDeviation()).isCloseTo(gradientSd, within(EPS));
        double covariance = (1 - grayMean) * (5 - gradientMean) * a + (1 - grayMean) * (3 - gradientMean) * a
                + (4 - grayMean) * (1 - gradientMean) * b;
        assertThat(t.correlation()).isCloseTo(covariance / (graySd * gradientSd), within(EPS));
        assertThat(t.correlation()).isNegative(); // the bright pixel is the flat one
        assertThat(t.grayEntropy()).isCloseTo(-((8 / 9.0) * Math.log(8 / 9.0) + b * Math.log(b)), within(EPS));
        assertThat(t.gradientEntropy()).isCloseTo(-(2 * a * Math.log(a) + b * Math.log(b)), within(EPS));
        assertThat(t.mixedEntropy()).isCloseTo(-(2 * a * Math.log(a) + b * Math.log(b)), within(EPS));
        assertThat(t.inertia()).isCloseTo((16 * 4 + 4 * 4 + 9 * 1) / 9.0, within(EPS)); // (1-5)^2, (1-3)^2, (4-1)^2: 89 / 9
        assertThat(t.inverseDifferenceMoment()).isCloseTo(a / (1 + 16) + a / (1 + 4) + b / (1 + 9), within(EPS));
    }

    /** A disk of radius 8 mm whose HU vary {@code 40 + contrast * pattern}, pattern 0..1, on 0 HU. */
    private static TextureFeatures diskTexture(double contrast, int outlierHu) {
        Geometry g = axial(40, 40, 1, 1, 1, 1);
        short[] hu = new short[40 * 40];
        for (int r = 0; r < 40; r++) {
            for (int c = 0; c < 40; c++) {
                double dx = c - 20, dy = r - 20;
                if (dx * dx + dy * dy <= 64) hu[r * 40 + c] = (short) Math.round(40 + contrast * (((r * 7 + c * 13) % 10) / 9.0));
            }
        }
        hu[12 * 40 + 12] = (short) outlierHu; // in the lesion's bounding box, 3 mm from its edge
        return new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0))
                .measure(g, 1, List.of(SyntheticSeries.disk(g, 20, 20, 8)), z -> hu).get(0).slices().get(0).texture();
    }

    @Test
    void aLesionWithFourTimesTheContrastHasMoreGrayLevelsNotTheSameOnes() {
        TextureFeatures faint = diskTexture(50, 0);
        TextureFeatures strong = diskTexture(200, 0);

        assertThat(strong.grayStandardDeviation()).isGreaterThan(2 * faint.grayStandardDeviation());
        assertThat(strong.grayEntropy()).isGreaterThan(faint.grayEntropy());
    }

    @Test
    void aBrightPixelInTheBoxButOutsideTheLesionChangesNothing() {
        assertThat(diskTexture(100, 1500)).isEqualTo(diskTexture(100, 0));
    }

    @Test
    void binWidthsMustBePositiveAndTheMessageNamesEachBadValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeasurementSettings.DEFAULTS.withGlgcmBinWidths(0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("glgcmBinWidthHu must be a finite number > 0, was 0.0")
                .hasMessageContaining("glgcmGradientBinWidthHuPerMm must be a finite number > 0, was NaN");
        assertThat(MeasurementSettings.DEFAULTS.glgcmBinWidthHu()).isEqualTo(25.0);
    }

    @Test
    void flatRegionPutsEveryPixelAtLevelOne() {
        TextureFeatures t = Glgcm.features(countsOf(new short[25], 1.0, 1.0));

        assertThat(t.energy()).isCloseTo(1, within(EPS));
        assertThat(t.grayMean()).isCloseTo(1, within(EPS));
        assertThat(t.gradientMean()).isCloseTo(1, within(EPS));
        assertThat(t.mixedEntropy()).isCloseTo(0, within(EPS));
        assertThat(t.correlation()).isZero();
        assertThat(t.grayLevelNonUniformity()).isCloseTo(9, within(EPS)); // 9^2 / 9
    }

    /** The central 3x3 box of a 5x5 slice, all of it lesion, default bins. */
    private static long[][] countsOf(short[] hu, double rowSpacingMm, double columnSpacingMm) {
        return countsOf(hu, new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, rowSpacingMm, columnSpacingMm,
                MeasurementSettings.DEFAULT_GLGCM_BIN_WIDTH_HU, MeasurementSettings.DEFAULT_GLGCM_GRADIENT_BIN_WIDTH_HU_PER_MM);
    }

    private static long[][] countsOf(short[] hu, byte[] mask, double rowSpacingMm, double columnSpacingMm,
                                     double grayBinHu, double gradientBinHuPerMm) {
        Mat slice = new Mat(5, 5, CvType.CV_16SC1);
        try {
            slice.put(0, 0, hu);
            return Glgcm.matrix(slice, hu, 1, 1, 3, 3, mask, rowSpacingMm, columnSpacingMm, grayBinHu, gradientBinHuPerMm);
        } finally {
            slice.release();
        }
    }
}
