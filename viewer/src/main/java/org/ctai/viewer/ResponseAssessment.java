package org.ctai.viewer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Treatment response per follow-up study, RECIST 1.1-style, computed from the tracked lesions: for review by a
 * radiologist, never a report by itself.
 *
 * <p>The rule: the baseline is the earliest study with a result. Target lesions are the up to
 * {@value #MAX_TARGETS} lesions of the baseline with the longest longest-diameter, each at least
 * {@value #MEASURABLE_MM} mm (measurable). For every study the sum of the longest diameters of the target
 * lesions' tracks is taken (a target not found counts 0 mm). The nadir is the smallest sum of the baseline and
 * every earlier follow-up. A follow-up's category, first rule that holds:
 * <ol>
 *   <li>PD: a new lesion (its track absent at baseline) of at least {@value #NEW_LESION_MM} mm, or the sum up by
 *       at least {@value #PD_INCREASE_PERCENT} % from the nadir and by at least {@value #PD_INCREASE_MIN_MM} mm;</li>
 *   <li>CR: every target lesion gone;</li>
 *   <li>PR: the sum down by at least {@value #PR_DECREASE_PERCENT} % from the baseline;</li>
 *   <li>SD otherwise;</li>
 * </ol>
 * and NE (not evaluable) when the baseline has no measurable lesion and no new lesion counts.
 *
 * <p>Limits, stated on the page: lesions are whatever the model segmented, measured in 3-D (the longest axial
 * diameter is the model's, not a radiologist's caliper); which lesion is "the same" comes from the tracker, so a
 * broken track makes a new lesion and a missing target; non-target lesions are listed but their unequivocal
 * progression is not judged; lymph nodes (short axis) are not treated apart; a lesion that splits or merges is
 * not handled as RECIST says. Thread-safe (stateless).
 */
final class ResponseAssessment {
    /** UNIT: mm. The smallest longest diameter of a measurable (target) lesion at baseline. */
    static final double MEASURABLE_MM = 10.0;
    static final int MAX_TARGETS = 5;
    /** UNIT: percent of the baseline sum. */
    static final double PR_DECREASE_PERCENT = 30.0;
    /** UNIT: percent of the nadir sum. */
    static final double PD_INCREASE_PERCENT = 20.0;
    /** UNIT: mm. The absolute growth of the sum from the nadir that PD also needs. */
    static final double PD_INCREASE_MIN_MM = 5.0;
    /** UNIT: mm. The smallest longest diameter of a new lesion that makes PD. */
    static final double NEW_LESION_MM = 10.0;
    /** Sums are in mm from a few decimals: a tolerance so that exactly 30 % or 20 % counts as reached. */
    private static final double EPSILON = 1e-9;

    /** A response category; NE where the baseline has nothing to measure. */
    enum Category { CR, PR, SD, PD, NE }

    /** One lesion of one study: its track and longest diameter (mm; 0 if unknown). */
    record Lesion(int track, double longestDiameterMm) { }

    /**
     * The assessment of one study.
     *
     * @param baseline    true for the baseline study (no category)
     * @param category    null at baseline
     * @param sumMm       the sum of the longest diameters of the target lesions found in this study
     * @param nadirMm     the smallest sum before this study (the baseline's own sum at baseline)
     * @param newTracks   tracks of new lesions of at least {@link #NEW_LESION_MM}, in track order
     * @param missingTargets target tracks not found in this study
     * @param reason      which rule decided: {@code newLesion}, {@code increase}, {@code allTargetsGone},
     *                    {@code decrease}, {@code neither}, {@code noTarget}, or {@code baseline}
     */
    record StudyResponse(boolean baseline, Category category, double sumMm, double baselineSumMm, double nadirMm,
                         List<Integer> newTracks, List<Integer> missingTargets, String reason) {
        StudyResponse {
            newTracks = List.copyOf(newTracks);
            missingTargets = List.copyOf(missingTargets);
        }
    }

    /** The target lesions (tracks, largest first, with their baseline diameter) and one response per study. */
    record Result(List<Lesion> targets, List<StudyResponse> studies) {
        Result {
            targets = List.copyOf(targets);
            studies = List.copyOf(studies);
        }

        boolean isTarget(int track) {
            return targets.stream().anyMatch(t -> t.track() == track);
        }
    }

    /**
     * @param studies the tracked lesions of every study with a result, in date order; the first is the baseline
     */
    static Result assess(List<List<Lesion>> studies) {
        if (studies.isEmpty()) return new Result(List.of(), List.of());
        List<Lesion> baseline = studies.get(0);
        List<Lesion> targets = baseline.stream()
                .filter(l -> l.longestDiameterMm() >= MEASURABLE_MM)
                .sorted(Comparator.comparingDouble(Lesion::longestDiameterMm).reversed().thenComparingInt(Lesion::track))
                .limit(MAX_TARGETS).toList();
        Set<Integer> baselineTracks = new LinkedHashSet<>();
        for (Lesion l : baseline) baselineTracks.add(l.track());

        List<StudyResponse> out = new ArrayList<>();
        double baselineSum = sum(targets, baseline);
        out.add(new StudyResponse(true, null, baselineSum, baselineSum, baselineSum, List.of(), List.of(), "baseline"));
        double nadir = baselineSum;
        for (int i = 1; i < studies.size(); i++) {
            List<Lesion> lesions = studies.get(i);
            double sum = sum(targets, lesions);
            List<Integer> newTracks = lesions.stream()
                    .filter(l -> !baselineTracks.contains(l.track()) && l.longestDiameterMm() >= NEW_LESION_MM)
                    .map(Lesion::track).sorted().toList();
            List<Integer> missing = targets.stream().map(Lesion::track)
                    .filter(t -> lesions.stream().noneMatch(l -> l.track() == t)).toList();
            Category category;
            String reason;
            if (!newTracks.isEmpty()) {
                category = Category.PD;
                reason = "newLesion";
            } else if (targets.isEmpty()) {
                category = Category.NE;
                reason = "noTarget";
            } else if (sum - nadir >= PD_INCREASE_MIN_MM - EPSILON && (nadir == 0 || (sum - nadir) / nadir * 100 >= PD_INCREASE_PERCENT - EPSILON)) {
                category = Category.PD;
                reason = "increase";
            } else if (missing.size() == targets.size()) {
                category = Category.CR;
                reason = "allTargetsGone";
            } else if ((baselineSum - sum) / baselineSum * 100 >= PR_DECREASE_PERCENT - EPSILON) {
                category = Category.PR;
                reason = "decrease";
            } else {
                category = Category.SD;
                reason = "neither";
            }
            out.add(new StudyResponse(false, category, sum, baselineSum, nadir, newTracks, missing, reason));
            nadir = Math.min(nadir, sum);
        }
        return new Result(targets, out);
    }

    /** The sum of the longest diameters of the lesions of this study on the target tracks. */
    private static double sum(List<Lesion> targets, List<Lesion> lesions) {
        double sum = 0;
        for (Lesion l : lesions) {
            for (Lesion t : targets) if (t.track() == l.track()) sum += l.longestDiameterMm();
        }
        return sum;
    }

    private ResponseAssessment() {
    }
}
