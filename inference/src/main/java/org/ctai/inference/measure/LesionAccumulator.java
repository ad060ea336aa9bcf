package org.ctai.inference.measure;

import org.ctai.inference.series.Vector3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects one lesion's slice measurements, in any slice order, into a {@link Lesion}. Single-threaded. */
final class LesionAccumulator {

    private final List<SliceMeasurement> slices = new ArrayList<>();
    private final HuHistogram histogram = new HuHistogram();

    void add(SliceMeasurer.Result result) {
        slices.add(result.measurement());
        histogram.addAll(result.histogram());
    }

    Lesion toLesion(int id, SliceSlabs slabs) {
        slices.sort(Comparator.comparingInt(SliceMeasurement::slice));
        SliceMeasurement largest = slices.get(0);
        SliceMeasurement widest = slices.get(0);
        double volumeMm3 = 0;
        Vector3 weighted = new Vector3(0, 0, 0);
        for (SliceMeasurement s : slices) {
            if (s.areaMm2() > largest.areaMm2()) largest = s;
            if (s.longestDiameterMm() > widest.longestDiameterMm()) widest = s;
            // midpoint rule: each slice's area times its own slab, never a mean spacing
            double slab = s.areaMm2() * slabs.thicknessMm(s.slice());
            volumeMm3 += slab;
            weighted = weighted.plus(s.centroidMm().times(slab));
        }
        return new Lesion(id, slices.get(0).slice(), slices.get(slices.size() - 1).slice(), volumeMm3,
                volumeMm3 / 1000.0, largest.areaMm2(), largest.slice(), widest.longestDiameterMm(), widest.slice(),
                widest.shortAxisMm(),
                weighted.times(1 / volumeMm3), histogram.statistics(), slices);
    }
}
