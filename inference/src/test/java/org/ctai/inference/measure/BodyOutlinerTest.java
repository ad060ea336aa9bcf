package org.ctai.inference.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.inference.series.Vector3;
import org.junit.jupiter.api.Test;

class BodyOutlinerTest {
    private static BodyProfile profile(Phantom phantom) {
        BodyOutliner outliner = new BodyOutliner(phantom.geometry());
        for (int k = phantom.sliceCount() - 1; k >= 0; k--) { // any order
            short[] hu = phantom.hu(k);
            float[] f = new float[hu.length];
            for (int i = 0; i < hu.length; i++) f[i] = hu[i];
            outliner.add(k, f);
        }
        return outliner.finish();
    }

    @Test
    void theBodyIsTheLargestRegionAboveMinus300HuWithoutTheCouch() {
        PhantomSpec spec = PhantomSpec.of(4711).withSize(256).withSlices(6);
        Phantom phantom = PhantomGenerator.generate(spec);
        List<BodyProfile.Section> sections = profile(phantom).sections();
        assertThat(sections).extracting(BodyProfile.Section::slice).containsExactly(0, 1, 2, 3, 4, 5);
        for (BodyProfile.Section s : sections) {
            assertThat(s.zMm()).isCloseTo(phantom.geometry().slicePositions().get(s.slice()).z(), within(0.01));
            // an adult abdomen: 135..170 x 100..122 mm semi-axes, flat back: 300..650 cm2; the 460 mm couch would add more
            assertThat(s.areaMm2()).isBetween(30_000.0, 65_000.0);
            assertThat(s.meanHu()).isBetween(-200.0, 200.0);
            assertThat(Math.abs(s.xMm())).isLessThan(20);
        }
    }

    @Test
    void aPatientLyingElsewhereOnTheTableShowsInTheProfile() {
        PhantomSpec spec = PhantomSpec.of(4711).withSize(256).withSlices(8);
        Vector3 shift = new Vector3(0, -15, 40);
        BodyProfile before = profile(PhantomGenerator.generate(spec));
        BodyProfile after = profile(PhantomGenerator.generate(spec, shift));
        assertThat(after.sections()).hasSameSizeAs(before.sections());
        for (int k = 0; k < before.sections().size(); k++) {
            BodyProfile.Section a = before.sections().get(k);
            BodyProfile.Section b = after.sections().get(k);
            assertThat(b.zMm() - a.zMm()).isCloseTo(40, within(0.01));
            assertThat(b.yMm() - a.yMm()).isCloseTo(-15, within(1.0)); // 1.5 mm pixels, every pixel sampled
            assertThat(b.xMm() - a.xMm()).isCloseTo(0, within(1.0));
            assertThat(b.areaMm2()).isCloseTo(a.areaMm2(), within(0.02 * a.areaMm2()));
            assertThat(b.meanHu()).isCloseTo(a.meanHu(), within(5.0));
        }
    }
}
