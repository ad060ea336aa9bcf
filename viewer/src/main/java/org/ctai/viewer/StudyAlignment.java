package org.ctai.viewer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How far the patient moved between two studies, estimated from the body profiles stored with each job (one
 * section per slice: the body's area, centroid and clamped mean HU, measured by the inference module as the
 * slices pass through the model).
 *
 * <p>The method: along the table (z), the two profiles are slid over each other in {@value #STEP_MM} mm steps (compared every {@value #SAMPLE_MM} mm)
 * up to +-{@value #MAX_SHIFT_MM} mm; at each shift with at least {@value #MIN_OVERLAP_MM} mm of overlap (or 80 %
 * of the shorter study, if that is shorter) the mean squared difference of body area and mean HU, each divided by
 * its spread along the earlier study, is taken, and the shift with the smallest difference wins. In the slice
 * plane (x, y) the shift is the median difference of the body centroids over the overlap, at that z shift.
 *
 * <p>Limits: a translation only (no rotation, no tilt, no breathing or organ motion, no change of body shape
 * from weight loss or arms up/down); a profile without features along z (a short series, a uniform body) or
 * less overlap than the minimum gives no estimate, and then lesions are matched unaligned. Thread-safe
 * (stateless).
 */
final class StudyAlignment {
    /** UNIT: mm. The largest shift along the table searched for. */
    static final double MAX_SHIFT_MM = 250;
    /** UNIT: mm. The overlap along the table needed to trust a shift. */
    static final double MIN_OVERLAP_MM = 40;
    /** UNIT: mm. Resolution of the search along the table. */
    static final double STEP_MM = 1;
    /** UNIT: mm. The profiles are compared every this many mm. */
    static final double SAMPLE_MM = 2;
    /** UNIT: mm. Neighbouring sections further apart than this are a gap in the series, not interpolated over. */
    static final double MAX_GAP_MM = 20;
    /** Floors of the spreads, so that a nearly constant channel does not amplify noise. */
    private static final double MIN_AREA_SPREAD_FRACTION = 0.05;
    private static final double MIN_HU_SPREAD = 5;

    /** One section of a body profile: patient z, body area (mm²), body centroid x and y (mm), clamped mean HU. */
    record Section(double z, double area, double x, double y, double meanHu) { }

    /**
     * The patient's movement from one study to another: a point at p in the later study lay at p - shift in the
     * earlier one.
     *
     * @param overlapMm how much of the table both studies cover at this shift
     * @param residual  the mean normalised squared difference of the profiles at this shift (0 = identical)
     */
    record Shift(double dxMm, double dyMm, double dzMm, double overlapMm, double residual) {
        static final Shift NONE = new Shift(0, 0, 0, 0, Double.NaN);
    }

    /** The shift from {@code earlier} to {@code later}; empty when either profile is too short or they overlap too little. */
    static Optional<Shift> estimate(List<Section> earlier, List<Section> later) {
        List<Section> a = sorted(earlier);
        List<Section> b = sorted(later);
        if (a.size() < 3 || b.size() < 3) return Optional.empty();
        double extentA = a.get(a.size() - 1).z() - a.get(0).z();
        double extentB = b.get(b.size() - 1).z() - b.get(0).z();
        double minOverlap = Math.min(MIN_OVERLAP_MM, 0.8 * Math.min(extentA, extentB));
        if (minOverlap <= 2 * SAMPLE_MM) return Optional.empty();
        int samples = (int) Math.floor(extentA / SAMPLE_MM) + 1;
        double[] za = new double[samples];
        double[][] va = new double[samples][];
        for (int i = 0; i < samples; i++) {
            za[i] = a.get(0).z() + i * SAMPLE_MM;
            va[i] = at(a, za[i]);
        }
        double areaSpread = Math.max(spread(a, Section::area), MIN_AREA_SPREAD_FRACTION * mean(a, Section::area));
        double huSpread = Math.max(spread(a, Section::meanHu), MIN_HU_SPREAD);
        double bestCost = Double.POSITIVE_INFINITY;
        double bestDz = 0;
        double bestOverlap = 0;
        for (double dz = -MAX_SHIFT_MM; dz <= MAX_SHIFT_MM; dz += STEP_MM) {
            double cost = 0;
            int n = 0;
            for (int i = 0; i < samples; i++) {
                if (va[i] == null) continue;
                double[] vb = at(b, za[i] + dz);
                if (vb == null) continue;
                double dArea = (va[i][0] - vb[0]) / areaSpread;
                double dHu = (va[i][3] - vb[3]) / huSpread;
                cost += dArea * dArea + dHu * dHu;
                n++;
            }
            double overlap = (n - 1) * SAMPLE_MM;
            if (n < 3 || overlap < minOverlap) continue;
            cost /= n;
            // ties (a featureless stretch) go to the smaller movement
            if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && Math.abs(dz) < Math.abs(bestDz))) {
                bestCost = cost;
                bestDz = dz;
                bestOverlap = overlap;
            }
        }
        if (Double.isInfinite(bestCost)) return Optional.empty();
        List<Double> dx = new ArrayList<>();
        List<Double> dy = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            if (va[i] == null) continue;
            double[] vb = at(b, za[i] + bestDz);
            if (vb == null) continue;
            dx.add(vb[1] - va[i][1]);
            dy.add(vb[2] - va[i][2]);
        }
        return Optional.of(new Shift(median(dx), median(dy), bestDz, bestOverlap, bestCost));
    }

    private static List<Section> sorted(List<Section> sections) {
        List<Section> s = new ArrayList<>(sections);
        s.removeIf(x -> !Double.isFinite(x.z()) || !Double.isFinite(x.area()) || !Double.isFinite(x.x()) || !Double.isFinite(x.y())
                || !Double.isFinite(x.meanHu()));
        s.sort(Comparator.comparingDouble(Section::z));
        return s;
    }

    /** {area, x, y, meanHu} at z, linearly interpolated; null outside the profile or inside a gap. */
    private static double[] at(List<Section> p, double z) {
        if (z < p.get(0).z() || z > p.get(p.size() - 1).z()) return null;
        int lo = 0;
        int hi = p.size() - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (p.get(mid).z() <= z) lo = mid;
            else hi = mid;
        }
        Section s0 = p.get(lo);
        Section s1 = p.get(hi);
        double gap = s1.z() - s0.z();
        if (gap > MAX_GAP_MM) return null;
        double f = gap <= 0 ? 0 : (z - s0.z()) / gap;
        return new double[] {lerp(s0.area(), s1.area(), f), lerp(s0.x(), s1.x(), f), lerp(s0.y(), s1.y(), f), lerp(s0.meanHu(), s1.meanHu(), f)};
    }

    private static double lerp(double v0, double v1, double f) {
        return v0 + (v1 - v0) * f;
    }

    private static double mean(List<Section> p, java.util.function.ToDoubleFunction<Section> f) {
        return p.stream().mapToDouble(f).average().orElse(0);
    }

    private static double spread(List<Section> p, java.util.function.ToDoubleFunction<Section> f) {
        double m = mean(p, f);
        return Math.sqrt(p.stream().mapToDouble(s -> (f.applyAsDouble(s) - m) * (f.applyAsDouble(s) - m)).average().orElse(0));
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private StudyAlignment() {
    }
}
