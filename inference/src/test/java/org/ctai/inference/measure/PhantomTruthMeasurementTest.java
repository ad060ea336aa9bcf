package org.ctai.inference.measure;

import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/** The phantom's own truth masks, measured with the default settings, give back the truth volumes. */
class PhantomTruthMeasurementTest {

    @Test
    void truthMasksMeasureToTheTruthVolumeIncludingTheSmallCapsOfEachTumour() {
        // 2.5 mm slices: every tumour starts and ends with a cap smaller than the 10 mm2 minimum area
        Phantom p = PhantomGenerator.generate(PhantomSpec.of(7).withSize(256).withSlices(40).withTumours(3).withNoiseSigmaHu(0));
        List<byte[]> masks = new ArrayList<>();
        for (int z = 0; z < p.sliceCount(); z++) masks.add(p.mask(z));
        List<Lesion> lesions = new LesionMeasurer().measure(p.geometry(), Double.NaN, masks, p::hu);

        double measured = lesions.stream().mapToDouble(Lesion::volumeMm3).sum();
        assertThat(measured).isCloseTo(p.truthVolumeMm3(), withinPercentage(0.01));
    }
}
