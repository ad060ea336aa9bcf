package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StudyAlignmentTest {
    /**
     * A body along the table: the area falls from the chest to the pelvis with a bump, the mean HU rises over the
     * liver; sections every {@code spacing} mm from {@code fromZ} to {@code toZ} (anatomy's own z), the patient moved
     * by (dx, dy, dz).
     */
    static List<StudyAlignment.Section> body(double fromZ, double toZ, double spacing, double dx, double dy, double dz) {
        List<StudyAlignment.Section> out = new ArrayList<>();
        for (double z = fromZ; z <= toZ + 1e-9; z += spacing) {
            double area = 60_000 + 40 * z + 5_000 * Math.exp(-Math.pow((z + 120) / 25, 2));
            double hu = -20 + 45 * Math.exp(-Math.pow((z + 60) / 40, 2)) + 10 * Math.sin(z / 17);
            out.add(new StudyAlignment.Section(z + dz, area, 3 + dx + 0.01 * z, -12 + dy, hu));
        }
        return out;
    }

    @Test
    void recoversAShiftAlongTheTableAndInPlaneFromPartlyOverlappingStudies() {
        // the follow-up covers 60 mm less at the top and 30 mm more at the bottom, with 5 mm slices instead of 2.5
        var earlier = body(-250, 0, 2.5, 0, 0, 0);
        var later = body(-280, -60, 5, 4, -15, 40);
        StudyAlignment.Shift s = StudyAlignment.estimate(earlier, later).orElseThrow();
        assertThat(s.dzMm()).isCloseTo(40, within(1.0));
        assertThat(s.dyMm()).isCloseTo(-15, within(0.5));
        assertThat(s.dxMm()).isCloseTo(4, within(0.5));
        assertThat(s.overlapMm()).isGreaterThan(150);
        StudyAlignment.Shift back = StudyAlignment.estimate(later, earlier).orElseThrow();
        assertThat(back.dzMm()).isCloseTo(-40, within(1.0));
    }

    @Test
    void noShiftIsFoundForAProfileTooShortToCompareOrAMissingOne() {
        assertThat(StudyAlignment.estimate(body(-250, 0, 2.5, 0, 0, 0), body(-4, 0, 2, 0, 0, 0))).isEmpty(); // 3 slices, 4 mm
        assertThat(StudyAlignment.estimate(body(-250, 0, 2.5, 0, 0, 0), body(-4, 0, 4, 0, 0, 0))).isEmpty(); // 2 slices
        assertThat(StudyAlignment.estimate(body(-250, 0, 2.5, 0, 0, 0), List.of())).isEmpty();
        assertThat(StudyAlignment.estimate(body(-10, 0, 5, 0, 0, 0), body(-10, 0, 5, 0, 0, 0))).isPresent();
    }

    @Test
    void sameStudyTwiceIsNoMovement() {
        StudyAlignment.Shift s = StudyAlignment.estimate(body(-200, 0, 2.5, 0, 0, 0), body(-200, 0, 2.5, 0, 0, 0)).orElseThrow();
        assertThat(s.dzMm()).isZero();
        assertThat(s.dxMm()).isZero();
        assertThat(s.dyMm()).isZero();
    }
}
