package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LesionTrackerTest {
    private static LesionTracker.Point p(double x, double y, double z) {
        return new LesionTracker.Point(0, 0, x, y, z);
    }

    @Test
    void matchesEachLesionToTheNearestTrackAcrossStudies() {
        List<int[]> t = LesionTracker.track(List.of(
                List.of(p(0, 0, 0), p(100, 0, 0)),
                List.of(p(98, 3, 0), p(2, 1, 1)),      // order changed (volumes changed): matched by position
                List.of(p(4, 2, 2))));                  // the second lesion is gone
        assertThat(t.get(0)).containsExactly(1, 2);
        assertThat(t.get(1)).containsExactly(2, 1);
        assertThat(t.get(2)).containsExactly(1);
    }

    @Test
    void aLesionFartherThanTheLimitStartsANewTrack() {
        double limit = LesionTracker.MAX_DISTANCE_MM;
        List<int[]> t = LesionTracker.track(List.of(List.of(p(0, 0, 0)), List.of(p(limit + 0.1, 0, 0)), List.of(p(limit + 0.1, 0, limit + 1))));
        assertThat(t.get(1)).containsExactly(2);
        assertThat(t.get(2)).containsExactly(3);
        assertThat(LesionTracker.track(List.of(List.of(p(0, 0, 0)), List.of(p(limit, 0, 0)))).get(1)).containsExactly(1);
    }

    @Test
    void twoCandidatesForOneTrackTakeTheNearestAndTheOtherIsNew() {
        List<int[]> t = LesionTracker.track(List.of(List.of(p(0, 0, 0)), List.of(p(10, 0, 0), p(3, 0, 0))));
        assertThat(t.get(1)).containsExactly(2, 1);
    }

    @Test
    void aTrackThatMissesAStudyCanMatchAgain() {
        List<int[]> t = LesionTracker.track(List.of(List.of(p(0, 0, 0)), List.of(), List.of(p(1, 1, 1))));
        assertThat(t.get(2)).containsExactly(1);
    }

    @Test
    void changeGivesDeltaAndPercentAndNoPercentFromZero() {
        assertThat(PatientHistory.change(200, 150).get("percent").asDouble()).isEqualTo(-25.0);
        assertThat(PatientHistory.change(0, 5).get("percent").isNull()).isTrue();
        assertThat(PatientHistory.dateLabel("20240105", 0)).isEqualTo("2024-01-05");
        assertThat(PatientHistory.dateLabel("<b>", 2)).isEqualTo("#3");
    }
}
