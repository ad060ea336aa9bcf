package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.ctai.inference.measure.SyntheticSeries.*;

class LesionGeometryTest {

    private static final LesionMeasurer KEEP_ALL = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0));

    private static List<Lesion> measureSlices(LesionMeasurer measurer, Geometry g, List<byte[]> masks) {
        return measurer.measure(g, Double.NaN, masks, z -> flat(g, 40));
    }

    private static SliceMeasurement onlySlice(List<Lesion> lesions) {
        assertThat(lesions).hasSize(1);
        assertThat(lesions.get(0).slices()).hasSize(1);
        return lesions.get(0).slices().get(0);
    }

    @ParameterizedTest(name = "pixel spacing {0} mm")
    @ValueSource(doubles = {0.5, 0.7, 1.0, 1.5})
    void diskOfRadius15MmMatchesAnalyticAreaPerimeterAxesAndDiameter(double spacing) {
        double r = 15;
        int size = (int) Math.ceil(50 / spacing);
        Geometry g = axial(size, size, spacing, spacing, 1, 1);
        SliceMeasurement s = onlySlice(KEEP_ALL.measure(g, 2.0, List.of(disk(g, 24.9, 25.3, r)), z -> flat(g, 40)));

        assertThat(s.areaMm2()).isCloseTo(Math.PI * r * r, withinPercentage(2));
        assertThat(s.perimeterMm()).isCloseTo(2 * Math.PI * r, withinPercentage(3));
        assertThat(s.majorAxisMm()).isCloseTo(2 * r, withinPercentage(2));
        assertThat(s.minorAxisMm()).isCloseTo(2 * r, withinPercentage(2));
        assertThat(s.roundness()).isGreaterThan(0.97);
        assertThat(s.longestDiameterMm()).isCloseTo(2 * r, withinPercentage(3));
    }

    @ParameterizedTest(name = "rows {0} mm, columns {1} mm")
    @CsvSource({"1.5, 0.5", "0.5, 1.5", "2.0, 0.7"})
    void anisotropicPixelsMeasureTheSameDiskInMillimetres(double rowSpacing, double columnSpacing) {
        double r = 15;
        Geometry g = axial((int) Math.ceil(50 / rowSpacing), (int) Math.ceil(50 / columnSpacing), rowSpacing, columnSpacing, 1, 1);
        SliceMeasurement s = onlySlice(KEEP_ALL.measure(g, 2.0, List.of(disk(g, 25.1, 24.8, r)), z -> flat(g, 40)));

        assertThat(s.areaMm2()).isCloseTo(Math.PI * r * r, withinPercentage(2));
        assertThat(s.perimeterMm()).isCloseTo(2 * Math.PI * r, withinPercentage(3));
        assertThat(s.majorAxisMm()).isCloseTo(2 * r, withinPercentage(3));
        assertThat(s.minorAxisMm()).isCloseTo(2 * r, withinPercentage(3));
        assertThat(s.longestDiameterMm()).isCloseTo(2 * r, withinPercentage(3));
    }

    @Test
    void ellipseAxesRoundnessAndDiameterFollowItsSemiAxes() {
        Geometry g = axial(80, 80, 0.7, 0.7, 1, 1);
        SliceMeasurement s = onlySlice(KEEP_ALL.measure(g, 2.0, List.of(ellipse(g, 28, 27, 20, 10)), z -> flat(g, 40)));

        assertThat(s.areaMm2()).isCloseTo(Math.PI * 20 * 10, withinPercentage(2));
        assertThat(s.majorAxisMm()).isCloseTo(40, withinPercentage(2));
        assertThat(s.minorAxisMm()).isCloseTo(20, withinPercentage(2));
        assertThat(s.roundness()).isCloseTo(0.5, within(0.01));
        assertThat(s.longestDiameterMm()).isCloseTo(40, withinPercentage(2));
    }

    @Test
    void ringExcludesTheHoleFromTheAreaAndCountsBothBoundariesInThePerimeter() {
        Geometry g = axial(70, 70, 0.7, 0.7, 1, 1);
        byte[] ring = minus(disk(g, 24.3, 24.6, 20), disk(g, 24.3, 24.6, 10));
        SliceMeasurement s = onlySlice(KEEP_ALL.measure(g, 2.0, List.of(ring), z -> flat(g, 40)));

        assertThat(s.areaMm2()).isCloseTo(Math.PI * (20 * 20 - 10 * 10), withinPercentage(2));
        assertThat(s.perimeterMm()).isCloseTo(2 * Math.PI * (20 + 10), withinPercentage(3));
        // the moment ellipse of a ring is a circle of radius sqrt(R^2 + r^2): major = 2 sqrt(500)
        assertThat(s.majorAxisMm()).isCloseTo(2 * Math.sqrt(500), withinPercentage(2));
        assertThat(s.longestDiameterMm()).isCloseTo(40, withinPercentage(3));
    }

    @Test
    void twoDisksApartOnOneSliceAreTwoLesionsNumberedByDecreasingVolume() {
        Geometry g = axial(100, 140, 1.0, 1.0, 1, 1);
        byte[] mask = union(disk(g, 30.3, 40.6, 8), disk(g, 100.4, 50.2, 12));
        List<Lesion> lesions = KEEP_ALL.measure(g, 2.5, List.of(mask), z -> flat(g, 40));

        assertThat(lesions).hasSize(2);
        Lesion big = lesions.get(0), small = lesions.get(1);
        assertThat(big.id()).isEqualTo(1);
        assertThat(small.id()).isEqualTo(2);
        assertThat(big.largestAreaMm2()).isCloseTo(Math.PI * 144, withinPercentage(2));
        assertThat(small.largestAreaMm2()).isCloseTo(Math.PI * 64, withinPercentage(2));
        // centroid in patient coordinates: origin + x * row direction + y * column direction
        assertThat(big.centroidMm().x()).isCloseTo(ORIGIN.x() + 100.4, within(0.1));
        assertThat(big.centroidMm().y()).isCloseTo(ORIGIN.y() + 50.2, within(0.1));
        assertThat(big.centroidMm().z()).isCloseTo(ORIGIN.z(), within(1e-9));
        assertThat(small.centroidMm().x()).isCloseTo(ORIGIN.x() + 30.3, within(0.1));
        assertThat(small.centroidMm().y()).isCloseTo(ORIGIN.y() + 40.6, within(0.1));
        assertThat(big.volumeMm3()).isCloseTo(big.largestAreaMm2() * 2.5, within(1e-6));
    }

    @Test
    void centroidFollowsTheImageOrientation() {
        // a coronal-like plane: columns run along +y of the patient, rows along -z
        Vector3 origin = new Vector3(10, -50, 80);
        Geometry g = new Geometry(60, 60, 0.8, 0.8, new Vector3(0, 1, 0), new Vector3(0, 0, -1), List.of(origin));
        SliceMeasurement s = onlySlice(KEEP_ALL.measure(g, 3.0, List.of(disk(g, 20, 28, 9)), z -> flat(g, 40)));

        assertThat(s.centroidMm().x()).isCloseTo(10, within(1e-9));
        assertThat(s.centroidMm().y()).isCloseTo(-50 + 20, within(0.05));
        assertThat(s.centroidMm().z()).isCloseTo(80 - 28, within(0.05));
    }

    @Test
    void cylinderOverFiveSlicesHasTheVolumeOfItsDiskTimesItsHeight() {
        Geometry g = axial(40, 40, 0.8, 0.8, 9, 2.5);
        List<byte[]> masks = new ArrayList<>();
        for (int z = 0; z < 9; z++) masks.add(z >= 2 && z <= 6 ? disk(g, 15.7, 16.1, 10) : empty(g));
        Lesion lesion = measureSlices(KEEP_ALL, g, masks).get(0);

        double analytic = Math.PI * 10 * 10 * 5 * 2.5; // pi r^2 h = 3927 mm3
        assertThat(lesion.volumeMm3()).isCloseTo(analytic, withinPercentage(2));
        assertThat(lesion.volumeMl()).isCloseTo(lesion.volumeMm3() / 1000, within(1e-12));
        assertThat(lesion.firstSlice()).isEqualTo(2);
        assertThat(lesion.lastSlice()).isEqualTo(6);
        assertThat(lesion.slices()).extracting(SliceMeasurement::slice).containsExactly(2, 3, 4, 5, 6);
        double summed = lesion.slices().stream().mapToDouble(SliceMeasurement::areaMm2).sum() * 2.5;
        assertThat(lesion.volumeMm3()).isCloseTo(summed, within(1e-6));
        assertThat(lesion.centroidMm().z()).isCloseTo(ORIGIN.z() + 4 * 2.5, within(1e-9));
    }

    @Test
    void sphereHasItsLargestAreaAndLongestDiameterOnTheMiddleSlice() {
        int slices = 13;
        Geometry g = axial(40, 40, 0.6, 0.6, slices, 2.0);
        List<byte[]> masks = new ArrayList<>();
        for (int z = 0; z < slices; z++) {
            double dz = (z - 6) * 2.0; // slice 6 goes through the centre
            double r2 = 100 - dz * dz;
            masks.add(r2 > 0 ? disk(g, 12, 12.2, Math.sqrt(r2)) : empty(g));
        }
        Lesion lesion = measureSlices(KEEP_ALL, g, masks).get(0);

        // slabs of 2 mm: sum over dz = -8..8 of pi (100 - dz^2) * 2 = 2 pi (9 * 100 - 2 * (64 + 36 + 16 + 4)) = 2 pi * 660
        assertThat(lesion.volumeMm3()).isCloseTo(2 * Math.PI * 660, withinPercentage(2));
        assertThat(lesion.largestAreaSlice()).isEqualTo(6);
        assertThat(lesion.largestAreaMm2()).isCloseTo(Math.PI * 100, withinPercentage(2));
        assertThat(lesion.longestDiameterSlice()).isEqualTo(6);
        assertThat(lesion.longestDiameterMm()).isCloseTo(20, withinPercentage(3));
        assertThat(lesion.firstSlice()).isEqualTo(2);
        assertThat(lesion.lastSlice()).isEqualTo(10);
    }

    @Test
    void lesionsWhoseLargestAreaIsBelowTheMinimumAreRemoved() {
        Geometry g = axial(50, 50, 1.0, 1.0, 1, 1);
        byte[] mask = union(disk(g, 20, 20, 8), block(g, 40, 40, 41, 41)); // a 2x2 pixel speck: 4 mm2
        MeasurementRun strict = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(5)).start(g, 2, List.of(mask));
        MeasurementRun lenient = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(4)).start(g, 2, List.of(mask));

        assertThat(strict.lesionCount()).isEqualTo(1);
        assertThat(lenient.lesionCount()).isEqualTo(2);
        byte[] cleaned = strict.lesionMask(0);
        assertThat(cleaned[40 * 50 + 40]).isZero();
        assertThat(cleaned[20 * 50 + 20]).isEqualTo((byte) 1);
    }

    @Test
    void noLesionIsAnEmptyListNotAnError() {
        Geometry g = axial(20, 20, 1, 1, 3, 2);
        List<Lesion> lesions = new LesionMeasurer().measure(g, Double.NaN, List.of(empty(g), empty(g), empty(g)),
                z -> { throw new AssertionError("no HU needed without lesions, asked for slice " + z); });

        assertThat(lesions).isEmpty();
    }

    @Test
    void diagonalTouchBetweenSlicesJoinsWith26ButNotWith6Connectivity() {
        Geometry g = axial(30, 30, 1, 1, 2, 2);
        List<byte[]> masks = List.of(block(g, 5, 5, 9, 9), block(g, 10, 10, 14, 14)); // corners (9,9) and (10,10)
        LesionMeasurer full = new LesionMeasurer(new MeasurementSettings(0, MeasurementSettings.Connectivity.FULL_26));
        LesionMeasurer face = new LesionMeasurer(new MeasurementSettings(0, MeasurementSettings.Connectivity.FACE_6));

        assertThat(full.start(g, 2, masks).lesionCount()).isEqualTo(1);
        assertThat(face.start(g, 2, masks).lesionCount()).isEqualTo(2);
    }

    @Test
    void piecesJoinedOnAnotherSliceAreOneLesionMeasuredTogether() {
        // slice 0: a bar; slice 1: two separate disks standing on the bar
        Geometry g = axial(40, 60, 1, 1, 2, 3);
        byte[] bar = block(g, 5, 5, 30, 54);
        byte[] twoDisks = union(disk(g, 15, 18, 6), disk(g, 45, 18, 6));
        Lesion lesion = KEEP_ALL.measure(g, 3, List.of(bar, twoDisks), z -> flat(g, 40)).get(0);

        SliceMeasurement top = lesion.slices().get(1);
        assertThat(top.areaMm2()).isCloseTo(2 * Math.PI * 36, withinPercentage(2));
        assertThat(top.perimeterMm()).isCloseTo(2 * 2 * Math.PI * 6, withinPercentage(3));
        assertThat(top.centroidMm().x()).isCloseTo(ORIGIN.x() + 30, within(0.05));
    }

    @Test
    void longestDiameterIsMeasuredWithinOneConnectedPieceNotAcrossPieces() {
        // slice 0 joins them into one lesion; on slice 1 the disks of diameter 12 and 8 are 30 mm apart
        Geometry g = axial(40, 60, 1, 1, 2, 3);
        byte[] bar = block(g, 5, 5, 30, 54);
        byte[] twoDisks = union(disk(g, 15, 18, 6), disk(g, 45, 18, 4));
        Lesion lesion = KEEP_ALL.measure(g, 3, List.of(bar, twoDisks), z -> flat(g, 40)).get(0);

        assertThat(lesion.slices().get(1).longestDiameterMm()).isCloseTo(12, withinPercentage(3));
    }

    @Test
    void smallCapOfALargeLesionIsKeptBecauseTheSizeFilterRunsOnTheLinkedLesion() {
        // a 3x3 mm cap (9 mm2, below the 10 mm2 minimum) on top of a disk of radius 8 mm
        Geometry g = axial(40, 40, 1, 1, 2, 2);
        byte[] base = disk(g, 20, 20, 8);
        byte[] cap = block(g, 19, 19, 21, 21);
        MeasurementRun run = new LesionMeasurer().start(g, Double.NaN, List.of(base, cap));

        assertThat(run.lesionCount()).isEqualTo(1);
        assertThat(run.slicesNeedingHu()).containsExactly(0, 1);
        assertThat(run.lesionMask(1)[20 * 40 + 20]).isEqualTo((byte) 1);
    }

    @Test
    void isolatedSpeckSmallerThanTheMinimumAreaOnEverySliceIsDropped() {
        // a 2x2 mm speck on two slices: 4 mm2 per slice, 8 mm2 summed over slices, both below 10 mm2
        Geometry g = axial(40, 40, 1, 1, 2, 2);
        byte[] speck = block(g, 30, 30, 31, 31);
        byte[] withDisk = union(disk(g, 10, 10, 6), speck);
        MeasurementRun run = new LesionMeasurer().start(g, Double.NaN, List.of(withDisk, speck));

        assertThat(run.lesionCount()).isEqualTo(1);
        assertThat(run.lesionMask(0)[30 * 40 + 30]).isZero();
        assertThat(run.lesionMask(1)[30 * 40 + 30]).isZero();
    }

    @Test
    void singleSliceVolumeUsesTheGivenSliceThickness() {
        Geometry g = axial(30, 30, 1, 1, 1, 1);
        byte[] mask = block(g, 10, 10, 19, 19); // 100 pixels of 1 mm2
        Lesion lesion = KEEP_ALL.measure(g, 3.0, List.of(mask), z -> flat(g, 40)).get(0);

        assertThat(lesion.volumeMm3()).isCloseTo(300, within(1e-9));
        assertThat(lesion.volumeMl()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void singleSliceWithoutThicknessIsRefusedWithTheValue() {
        Geometry g = axial(10, 10, 1, 1, 1, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KEEP_ALL.start(g, Double.NaN, List.of(empty(g))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single-slice").hasMessageContaining("NaN");
    }

    @Test
    void masksThatDoNotFitTheGeometryAreRefused() {
        Geometry g = axial(10, 10, 1, 1, 2, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KEEP_ALL.start(g, 1, List.of(empty(g))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 masks for 2 slices");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KEEP_ALL.start(g, 1, List.of(empty(g), new byte[99])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice 1").hasMessageContaining("99");
    }
}
