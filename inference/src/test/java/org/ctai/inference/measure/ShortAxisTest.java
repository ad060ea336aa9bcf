package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.ctai.inference.measure.SyntheticSeries.*;

/** RECIST long and short axis against ellipses whose axes are known, at square and non-square pixels. */
class ShortAxisTest {

    private static final LesionMeasurer KEEP_ALL = new LesionMeasurer(MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0));

    private static Lesion only(Geometry g, List<byte[]> masks) {
        List<Lesion> lesions = KEEP_ALL.measure(g, 2.0, masks, z -> flat(g, 40));
        assertThat(lesions).hasSize(1);
        return lesions.get(0);
    }

    @ParameterizedTest(name = "pixels {0} x {1} mm, long axis at {2} degrees")
    @CsvSource({"0.5, 0.5, 0", "0.7, 0.7, 30", "0.7, 0.7, 90", "0.5, 0.9, 0", "0.5, 0.9, 60", "1.2, 0.6, 90", "1.2, 0.6, 135"})
    void ellipseOfAxes40And16MmHasLongestDiameter40AndShortAxis16(double rowSpacing, double columnSpacing, double degrees) {
        Geometry g = axial((int) Math.ceil(60 / rowSpacing), (int) Math.ceil(60 / columnSpacing), rowSpacing, columnSpacing, 1, 1);
        SliceMeasurement s = only(g, List.of(rotatedEllipse(g, 30.2, 29.7, 20, 8, degrees))).slices().get(0);

        assertThat(s.longestDiameterMm()).isCloseTo(40, withinPercentage(2));
        assertThat(s.shortAxisMm()).isCloseTo(16, withinPercentage(3));
    }

    @Test
    void shortAxisIsTheLongestChordPerpendicularToTheDiagonalOfARectangle() {
        // a 40 x 10 mm rectangle: its longest diameter is the diagonal; a chord perpendicular to the diagonal
        // crosses both long sides, 10 / cos(atan(10 / 40)) = 10.31 mm (its projected width, 19.4 mm, is no chord)
        Geometry g = axial(60, 120, 0.5, 0.5, 1, 1);
        byte[] box = block(g, 20, 10, 39, 89); // rows 20..39 (10 mm), columns 10..89 (40 mm)
        SliceMeasurement s = only(g, List.of(box)).slices().get(0);

        assertThat(s.longestDiameterMm()).isCloseTo(Math.hypot(40, 10), withinPercentage(3));
        assertThat(s.shortAxisMm()).isCloseTo(10 * Math.hypot(40, 10) / 40, withinPercentage(3));
    }

    @Test
    void shortAxisBelongsToThePieceWithTheLongestDiameter() {
        // slice 0 joins them; on slice 1 the ellipse (40 x 16) has the longest diameter, the disk (24) is wider
        Geometry g = axial(100, 120, 0.5, 0.5, 2, 2);
        byte[] bar = block(g, 5, 5, 95, 115);
        byte[] two = union(rotatedEllipse(g, 12, 25, 20, 8, 90), disk(g, 40, 25, 12));
        SliceMeasurement s = only(g, List.of(bar, two)).slices().get(1);

        assertThat(s.longestDiameterMm()).isCloseTo(40, withinPercentage(2));
        assertThat(s.shortAxisMm()).isCloseTo(16, withinPercentage(3));
    }

    @Test
    void lesionShortAxisIsTheOneOnTheSliceOfTheLongestDiameter() {
        // slice 1 has the longest diameter (40 x 16); slice 0 is rounder and wider across (30 x 24)
        Geometry g = axial(70, 70, 0.5, 0.5, 3, 2);
        List<byte[]> masks = List.of(rotatedEllipse(g, 17, 17, 15, 12, 0), rotatedEllipse(g, 17, 17, 20, 8, 45),
                rotatedEllipse(g, 17, 17, 6, 4, 0));
        Lesion lesion = only(g, masks);

        assertThat(lesion.longestDiameterSlice()).isEqualTo(1);
        assertThat(lesion.shortAxisMm()).isCloseTo(16, withinPercentage(3));
        assertThat(lesion.shortAxisMm()).isEqualTo(lesion.slices().get(1).shortAxisMm());
    }
}
