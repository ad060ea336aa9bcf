package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.ctai.viewer.ResponseAssessment.Category;
import org.ctai.viewer.ResponseAssessment.Lesion;
import org.ctai.viewer.ResponseAssessment.Result;
import org.ctai.viewer.ResponseAssessment.StudyResponse;
import org.junit.jupiter.api.Test;

class ResponseAssessmentTest {
    private static Lesion l(int track, double diameterMm) {
        return new Lesion(track, diameterMm);
    }

    @SafeVarargs
    private static Result assess(List<Lesion>... studies) {
        return ResponseAssessment.assess(List.of(studies));
    }

    private static StudyResponse last(Result r) {
        return r.studies().get(r.studies().size() - 1);
    }

    @Test
    void targetsAreTheFiveLargestMeasurableLesionsAtBaseline() {
        Result r = assess(List.of(l(1, 12), l(2, 9.9), l(3, 40), l(4, 20), l(5, 15), l(6, 11), l(7, 10), l(8, 30)));
        assertThat(r.targets()).extracting(Lesion::track).containsExactly(3, 8, 4, 5, 1);
        StudyResponse baseline = r.studies().get(0);
        assertThat(baseline.baseline()).isTrue();
        assertThat(baseline.category()).isNull();
        assertThat(baseline.sumMm()).isEqualTo(40 + 30 + 20 + 15 + 12);
    }

    @Test
    void everyTargetGoneIsCompleteResponse() {
        // a lesion below 10 mm at baseline is no target: it may stay, CR speaks of the targets only
        StudyResponse s = last(assess(List.of(l(1, 30), l(2, 15), l(3, 8)), List.of(l(3, 8))));
        assertThat(s.category()).isEqualTo(Category.CR);
        assertThat(s.sumMm()).isZero();
        assertThat(s.missingTargets()).containsExactly(1, 2);
    }

    @Test
    void thirtyPercentDownFromBaselineIsPartialResponseAndLessIsStable() {
        assertThat(last(assess(List.of(l(1, 30), l(2, 20)), List.of(l(1, 20), l(2, 15)))).category()).isEqualTo(Category.PR); // 50 -> 35: -30 %
        assertThat(last(assess(List.of(l(1, 30), l(2, 20)), List.of(l(1, 20), l(2, 15.1)))).category()).isEqualTo(Category.SD); // -29.8 %
        // one target gone, the other shrunk: PR, and the missing target is named
        StudyResponse s = last(assess(List.of(l(1, 30), l(2, 20)), List.of(l(1, 25))));
        assertThat(s.category()).isEqualTo(Category.PR);
        assertThat(s.missingTargets()).containsExactly(2);
    }

    @Test
    void smallChangeEitherWayIsStableDisease() {
        assertThat(last(assess(List.of(l(1, 50)), List.of(l(1, 45)))).category()).isEqualTo(Category.SD);
        assertThat(last(assess(List.of(l(1, 50)), List.of(l(1, 59)))).category()).isEqualTo(Category.SD); // +18 %
        assertThat(last(assess(List.of(l(1, 50)), List.of(l(1, 59)))).reason()).isEqualTo("neither");
    }

    @Test
    void twentyPercentAndFiveMillimetresUpFromBaselineIsProgression() {
        StudyResponse s = last(assess(List.of(l(1, 30), l(2, 20)), List.of(l(1, 36), l(2, 24))));
        assertThat(s.category()).isEqualTo(Category.PD); // 50 -> 60: +20 %, +10 mm
        assertThat(s.reason()).isEqualTo("increase");
    }

    @Test
    void twentyPercentUpButLessThanFiveMillimetresIsStable() {
        // 20 -> 24.5 mm: +22.5 % but only +4.5 mm
        assertThat(last(assess(List.of(l(1, 20)), List.of(l(1, 24.5)))).category()).isEqualTo(Category.SD);
        assertThat(last(assess(List.of(l(1, 20)), List.of(l(1, 25)))).category()).isEqualTo(Category.PD);
    }

    @Test
    void progressionIsMeasuredFromTheNadirNotFromTheBaseline() {
        // 100 -> 50 (PR, nadir 50) -> 62: still -38 % from baseline, but +24 % and +12 mm from the nadir: PD
        Result r = assess(List.of(l(1, 60), l(2, 40)), List.of(l(1, 30), l(2, 20)), List.of(l(1, 37), l(2, 25)));
        assertThat(r.studies().get(1).category()).isEqualTo(Category.PR);
        StudyResponse s = r.studies().get(2);
        assertThat(s.nadirMm()).isEqualTo(50);
        assertThat(s.baselineSumMm()).isEqualTo(100);
        assertThat(s.category()).isEqualTo(Category.PD);
        assertThat(s.reason()).isEqualTo("increase");
        // the nadir is the smallest of all earlier studies, not the previous one: 100 -> 50 -> 55 (SD) -> 61
        Result r2 = assess(List.of(l(1, 100)), List.of(l(1, 50)), List.of(l(1, 55)), List.of(l(1, 61)));
        assertThat(r2.studies().get(2).category()).isEqualTo(Category.PR); // +10 % from nadir, -45 % from baseline
        assertThat(r2.studies().get(3).nadirMm()).isEqualTo(50);
        assertThat(r2.studies().get(3).category()).isEqualTo(Category.PD); // +22 % from the nadir 50, only +11 % from 55
    }

    @Test
    void aTargetComingBackAfterCompleteResponseIsProgressionFromAZeroNadir() {
        Result r = assess(List.of(l(1, 20)), List.of(), List.of(l(1, 6)));
        assertThat(r.studies().get(1).category()).isEqualTo(Category.CR);
        assertThat(r.studies().get(2).category()).isEqualTo(Category.PD);
    }

    @Test
    void aNewLesionOfTenMillimetresIsProgressionWhateverTheTargetsDo() {
        StudyResponse s = last(assess(List.of(l(1, 40)), List.of(l(1, 10), l(2, 10))));
        assertThat(s.category()).isEqualTo(Category.PD); // targets -75 %, but a new 10 mm lesion
        assertThat(s.reason()).isEqualTo("newLesion");
        assertThat(s.newTracks()).containsExactly(2);
        // a new lesion under 10 mm does not count; a small lesion already there at baseline is not new
        assertThat(last(assess(List.of(l(1, 40)), List.of(l(1, 10), l(2, 9.9)))).category()).isEqualTo(Category.PR);
        assertThat(last(assess(List.of(l(1, 40), l(2, 8)), List.of(l(1, 40), l(2, 14)))).category()).isEqualTo(Category.SD);
    }

    @Test
    void noMeasurableLesionAtBaselineIsNotEvaluableUnlessANewOneAppears() {
        assertThat(last(assess(List.of(l(1, 8)), List.of(l(1, 9)))).category()).isEqualTo(Category.NE);
        assertThat(last(assess(List.of(), List.of(l(1, 12)))).category()).isEqualTo(Category.PD);
        assertThat(ResponseAssessment.assess(List.of()).studies()).isEmpty();
    }
}
