package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.ctai.inference.measure.SyntheticSeries.*;

/** Volumes and linking over series whose slices are not evenly spaced. */
class UnevenSpacingVolumeTest {

    private static final double PIXEL_MM = 0.7;
    private static final int SIZE = 64;

    private static Geometry axialAt(List<Double> zMm) {
        List<Vector3> positions = new ArrayList<>();
        for (double z : zMm) positions.add(ORIGIN.plus(new Vector3(0, 0, z)));
        return new Geometry(SIZE, SIZE, PIXEL_MM, PIXEL_MM, ROW_DIRECTION, COLUMN_DIRECTION, positions);
    }

    private static List<Double> run(double fromMm, double toMm, double stepMm) {
        List<Double> z = new ArrayList<>();
        for (double v = fromMm; v < toMm - 1e-9; v += stepMm) z.add(v);
        return z;
    }

    private static List<Lesion> measure(Geometry g, List<byte[]> masks) {
        return new LesionMeasurer().measure(g, Double.NaN, masks, z -> flat(g, 40));
    }

    @Test
    void ellipsoidOverMixed125And25And5MmSlicesMatchesTheAnalyticVolume() {
        // 5 mm below, 1.25 mm through the lower half, 2.5 mm through the upper half, 5 mm above: the mean
        // spacing (2.5 mm) would count the lower half twice (+57 %)
        List<Double> z = new ArrayList<>(run(-40, -20, 5));
        z.addAll(run(-20, 5, 1.25));
        z.addAll(run(5, 20, 2.5));
        z.addAll(run(20, 45.01, 5));
        Geometry g = axialAt(z);
        double a = 18, b = 14, c = 24;
        List<byte[]> masks = new ArrayList<>();
        for (double zz : z) {
            double f = 1 - zz * zz / (c * c);
            masks.add(f > 0 ? ellipse(g, 22.3, 21.9, a * Math.sqrt(f), b * Math.sqrt(f)) : empty(g));
        }
        MeasurementRun run = new LesionMeasurer().start(g, Double.NaN, masks);
        for (int slice : run.slicesNeedingHu()) run.addHu(slice, flat(g, 40));
        List<Lesion> lesions = run.finish();

        assertThat(run.gapsAfterSlices()).as("a change of spacing is no gap").isEmpty();
        assertThat(lesions).hasSize(1);
        assertThat(lesions.get(0).volumeMm3()).isCloseTo(4.0 / 3 * Math.PI * a * b * c, withinPercentage(3));
    }

    @Test
    void aMissingSliceIsAGapThatNoLesionIsLinkedAcrossAndNoVolumeFills() {
        // 2.5 mm slices at 0..20 mm without the one at 10 mm; a disk of radius 10 mm on every slice
        List<Double> z = new ArrayList<>(List.of(0.0, 2.5, 5.0, 7.5, 12.5, 15.0, 17.5, 20.0));
        Geometry g = axialAt(z);
        List<byte[]> masks = new ArrayList<>();
        for (int i = 0; i < z.size(); i++) masks.add(disk(g, 22, 22, 10));
        MeasurementRun run = new LesionMeasurer().start(g, Double.NaN, masks);
        for (int slice : run.slicesNeedingHu()) run.addHu(slice, flat(g, 40));
        List<Lesion> lesions = run.finish();

        assertThat(run.gapsAfterSlices()).containsExactly(3);
        assertThat(lesions).hasSize(2);
        double area = lesions.get(0).slices().get(0).areaMm2();
        // each part: four slabs of 2.5 mm; the 5 mm between 7.5 and 12.5 holds only the two half-slabs next to it
        for (Lesion l : lesions) assertThat(l.volumeMm3()).isCloseTo(area * 4 * 2.5, withinPercentage(0.5));
        assertThat(lesions).extracting(Lesion::firstSlice).containsExactlyInAnyOrder(0, 4);
    }

    @Test
    void eachSliceWeighsItsOwnSlabByTheMidpointRule() {
        // slices at 0, 1, 2.5, 4.5 mm (distances 1, 1.5, 2: none 1.5 times its neighbours, so no gap);
        // slabs 1, 1.25, 1.75, 2 mm (the ends reach as far out as in); 100 pixels of 0.49 mm2 on the first
        // three slices, 200 on the last (the mean spacing, 1.5 mm, would give 367.5 mm3)
        Geometry g = axialAt(List.of(0.0, 1.0, 2.5, 4.5));
        byte[] square = block(g, 10, 10, 19, 19);
        byte[] twice = block(g, 10, 10, 29, 19);
        Lesion lesion = measure(g, List.of(square, square, square, twice)).get(0);

        assertThat(lesion.volumeMm3()).isCloseTo(49 * (1 + 1.25 + 1.75) + 98 * 2, withinPercentage(1e-6));
    }
}
