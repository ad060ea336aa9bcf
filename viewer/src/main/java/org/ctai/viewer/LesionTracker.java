package org.ctai.viewer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows lesions across a patient's studies by nearest centroid, in one frame for all studies: the caller
 * ({@link PatientHistory}) first moves each study's centroids by the patient's movement that {@link StudyAlignment}
 * estimated, into the first study's patient coordinates.
 *
 * <p>The rule: studies are taken in date order. A track remembers the (aligned) centroid (LPS, mm)
 * of the lesion it last matched. For each study, every pair (track, lesion) closer than
 * {@link #MAX_DISTANCE_MM} is a candidate; pairs are accepted from the nearest up, each track and each lesion
 * used at most once (greedy nearest-pair assignment). A lesion left over starts a new track. A track that
 * misses a study (lesion gone or not found) stays open and can match again later.
 *
 * <p>Limits: the alignment is a translation of the whole body (see {@link StudyAlignment}); where it could not be
 * estimated (no body profile, too little overlap) a study is taken as lying where the previous one lay, and the
 * centroids are compared as the scanner gave them. 30 mm tolerates what the translation leaves (organs moving
 * with breathing and posture) and a shrinking lesion's shifting centre while keeping lesions in different
 * organs apart; two lesions closer than that may swap tracks.
 * Thread-safe (stateless).
 */
final class LesionTracker {
    /** UNIT: mm. The largest centroid distance for which two lesions count as the same one. */
    static final double MAX_DISTANCE_MM = 30.0;

    /** A lesion of one study: its id in its job and its centroid in mm. */
    record Point(long jobId, int lesionId, double x, double y, double z) {
        double distanceTo(double[] c) {
            double dx = x - c[0];
            double dy = y - c[1];
            double dz = z - c[2];
            return Math.sqrt(dx * dx + dy * dy + dz * dz);
        }
    }

    /**
     * Assigns track numbers (1-based, in order of first appearance) to every lesion.
     *
     * @param studies the lesions of each study, studies in date order, lesions in their job's order
     * @return for each study, the track number of each of its lesions (same shape as the input)
     */
    static List<int[]> track(List<List<Point>> studies) {
        List<double[]> tracks = new ArrayList<>();
        List<int[]> out = new ArrayList<>();
        for (List<Point> lesions : studies) {
            int[] assigned = new int[lesions.size()];
            record Pair(int track, int lesion, double distance) { }
            List<Pair> pairs = new ArrayList<>();
            for (int t = 0; t < tracks.size(); t++) {
                for (int l = 0; l < lesions.size(); l++) {
                    double d = lesions.get(l).distanceTo(tracks.get(t));
                    if (d <= MAX_DISTANCE_MM) pairs.add(new Pair(t, l, d));
                }
            }
            pairs.sort(Comparator.comparingDouble(Pair::distance).thenComparingInt(Pair::track).thenComparingInt(Pair::lesion));
            boolean[] trackUsed = new boolean[tracks.size()];
            for (Pair p : pairs) {
                if (trackUsed[p.track] || assigned[p.lesion] != 0) continue;
                trackUsed[p.track] = true;
                assigned[p.lesion] = p.track + 1;
            }
            for (int l = 0; l < lesions.size(); l++) {
                Point p = lesions.get(l);
                if (assigned[l] == 0) {
                    tracks.add(new double[3]);
                    assigned[l] = tracks.size();
                }
                double[] c = tracks.get(assigned[l] - 1);
                c[0] = p.x;
                c[1] = p.y;
                c[2] = p.z;
            }
            out.add(assigned);
        }
        return out;
    }

    private LesionTracker() {
    }
}
