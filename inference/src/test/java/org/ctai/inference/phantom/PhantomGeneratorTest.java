package org.ctai.inference.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.junit.jupiter.api.Test;

class PhantomGeneratorTest {

    private static final PhantomSpec SMALL = PhantomSpec.of(11).withSize(160).withSlices(8).withSliceSpacingMm(5);

    @Test
    void sameSeedGivesIdenticalPixelsAndMasks() {
        Phantom a = PhantomGenerator.generate(SMALL), b = PhantomGenerator.generate(SMALL);
        for (int k = 0; k < a.sliceCount(); k++) {
            assertThat(a.hu(k)).as("slice %d", k).isEqualTo(b.hu(k));
            assertThat(a.labels(k)).as("slice %d", k).isEqualTo(b.labels(k));
        }
        assertThat(a.tumours()).isEqualTo(b.tumours());
        assertThat(a.seriesInstanceUid()).isEqualTo(b.seriesInstanceUid());
        assertThat(a.sopInstanceUid(3)).isEqualTo(b.sopInstanceUid(3));
    }

    @Test
    void otherSeedGivesOtherPatientAndOtherUids() {
        Phantom a = PhantomGenerator.generate(SMALL), b = PhantomGenerator.generate(SMALL.withSeed(12));
        assertThat(a.hu(4)).isNotEqualTo(b.hu(4));
        assertThat(a.studyInstanceUid()).isNotEqualTo(b.studyInstanceUid());
        assertThat(a.seriesInstanceUid()).isNotEqualTo(b.seriesInstanceUid());
    }

    @Test
    void followUpStudyOfSameSeedKeepsPatientAndTumourCentresButGetsNewUids() {
        PhantomSpec baseline = PhantomSpec.of(21).withSize(128).withSlices(40).withSliceSpacingMm(2).withTumours(1);
        PhantomSpec followUp = baseline.withTumourScale(0.5).withStudyDate(baseline.studyDate().plusMonths(3));
        Phantom before = PhantomGenerator.generate(baseline), after = PhantomGenerator.generate(followUp);

        assertThat(after.tumours().get(0).centreMm()).isEqualTo(before.tumours().get(0).centreMm());
        assertThat(after.spec().patientId()).isEqualTo(before.spec().patientId());
        assertThat(after.studyInstanceUid()).isNotEqualTo(before.studyInstanceUid());
        assertThat(after.sopInstanceUid(0)).isNotEqualTo(before.sopInstanceUid(0));
        // half the diameter is an eighth of the volume
        double ratio = after.truthVolumeMm3() / before.truthVolumeMm3();
        assertThat(ratio).isCloseTo(0.125, within(0.03));
    }

    @Test
    void geometryIsAxialEvenlySpacedAndLowestSliceFirst() {
        Phantom p = PhantomGenerator.generate(SMALL);
        Geometry g = p.geometry();
        assertThat(g.rows()).isEqualTo(160);
        assertThat(g.columns()).isEqualTo(160);
        assertThat(g.rowSpacingMm()).isEqualTo(2.4); // 384 mm field of view kept
        assertThat(g.normal()).isEqualTo(new Vector3(0, 0, 1));
        assertThat(g.sliceSpacingMm()).isCloseTo(5, within(1e-9));
        List<Vector3> positions = g.slicePositions();
        for (int k = 1; k < positions.size(); k++) {
            assertThat(positions.get(k).z() - positions.get(k - 1).z()).isCloseTo(5, within(1e-6));
        }
        // the image centre is the isocentre
        assertThat(g.patientPoint(0, 79.5, 79.5).x()).isCloseTo(0, within(1e-9));
        assertThat(p.instanceNumber(0)).isEqualTo(8);
        assertThat(p.instanceNumber(7)).isEqualTo(1);
    }

    @Test
    void tissuesHavePlausibleHounsfieldUnits() {
        Phantom p = PhantomGenerator.generate(PhantomSpec.of(5).withSize(256).withSlices(6).withNoiseSigmaHu(0));
        short[] hu = p.hu(3);
        assertThat(hu[0]).as("air in the corner").isEqualTo((short) -1000);
        int fat = 0, soft = 0, bone = 0, gas = 0, dense = 0;
        int centreRow = 128;
        for (short v : hu) {
            if (v >= -130 && v <= -70) fat++;
            if (v >= 20 && v <= 130) soft++;
            if (v >= 400) bone++;
            if (v > 1200) dense++;
        }
        // gas inside the body: search the inner part of the image only, away from the air outside
        for (int r = 80; r < 180; r++) {
            for (int c = 60; c < 200; c++) if (hu[r * 256 + c] < -800) gas++;
        }
        int pixels = hu.length;
        assertThat(fat).as("fat pixels").isGreaterThan(pixels / 20);
        assertThat(soft).as("soft-tissue pixels").isGreaterThan(pixels / 8);
        assertThat(bone).as("bone pixels").isGreaterThan(50);
        assertThat(dense).as("pixels denser than cortical bone").isZero();
        assertThat(gas).as("bowel gas pixels inside the body").isGreaterThan(0);
        assertThat(hu[centreRow * 256 + 128]).as("image centre lies inside the body").isGreaterThan((short) -200);
    }

    @Test
    void tumourVoxelsCarryTheTumourContrastOverTheLiver() {
        PhantomSpec spec = PhantomSpec.of(31).withSize(256).withSlices(30).withSliceSpacingMm(2).withNoiseSigmaHu(0).withTumours(3);
        Phantom p = PhantomGenerator.generate(spec);
        double[] centres = Anatomy.liverAndSeriesCentreZ(spec.seed());
        double liverHu = Anatomy.of(spec, centres[1], centres[0], 29).liverHu();
        for (TumourTruth t : p.tumours()) {
            assertThat(t.voxelCount()).as("tumour %d voxels", t.label()).isPositive();
            double median = medianHu(p, t.label());
            assertThat(median).as("tumour %d median HU (liver %.0f, contrast %.0f)", t.label(), liverHu, t.contrastHu())
                    .isCloseTo(liverHu + t.contrastHu(), within(12.0));
            assertThat(Math.abs(t.contrastHu())).isBetween(25.0, 70.0);
        }
    }

    @Test
    void truthMaskCountsAddUpAndVolumeMatchesTheShape() {
        // one tumour (seed 43: about 20 mm radius, well inside the 100 slices), fine voxels
        PhantomSpec spec = PhantomSpec.of(43).withSize(256).withSlices(100).withSliceSpacingMm(1).withTumours(1).withNoiseSigmaHu(0);
        Phantom p = PhantomGenerator.generate(spec);
        TumourTruth t = p.tumours().get(0);
        long counted = 0;
        for (int k = 0; k < p.sliceCount(); k++) {
            byte[] mask = p.mask(k), labels = p.labels(k);
            for (int i = 0; i < mask.length; i++) {
                assertThat(mask[i] != 0).isEqualTo(labels[i] != 0);
                counted += mask[i];
            }
        }
        assertThat(counted).isEqualTo(t.voxelCount()).isEqualTo(p.truthVoxelCount());
        assertThat(t.firstSlice()).isPositive();
        assertThat(t.lastSlice()).isLessThan(p.sliceCount() - 1);
        assertThat(t.volumeMm3()).isCloseTo(t.voxelCount() * p.voxelVolumeMm3(), within(1e-6));
        double[] centres = Anatomy.liverAndSeriesCentreZ(spec.seed());
        LobulatedBlob blob = Anatomy.of(spec, centres[1], centres[0], 49.5).tumours().get(0).blob();
        // lobulation changes an ellipsoid's volume only to second order in its amplitudes
        assertThat(t.volumeMm3()).isCloseTo(blob.ellipsoidVolumeMm3(), within(0.12 * blob.ellipsoidVolumeMm3()));
    }

    @Test
    void edgesHavePartialVolumeBetweenTissues() {
        Phantom p = PhantomGenerator.generate(PhantomSpec.of(5).withSize(256).withSlices(1).withNoiseSigmaHu(0));
        short[] hu = p.hu(0);
        // along rows through the body, from the left: air, one pixel partly air and partly fat, then fat
        int rows = 0, withPartialPixel = 0;
        for (int row = 100; row < 156; row++) {
            int c = 0;
            while (c < 128 && hu[row * 256 + c] == -1000) c++;
            if (c == 128) continue;
            rows++;
            short edge = hu[row * 256 + c];
            if (edge > -1000 && edge < -120) withPartialPixel++;
        }
        assertThat(rows).isEqualTo(56);
        // the edge pixel's coverage is spread over 0..1, so most of them show a value between the two tissues
        assertThat(withPartialPixel).as("rows with a partial-volume pixel at the outline").isGreaterThan(rows * 3 / 4);
    }

    @Test
    void noTumoursMeansEmptyTruth() {
        Phantom p = PhantomGenerator.generate(SMALL.withTumours(0));
        assertThat(p.tumours()).isEmpty();
        assertThat(p.truthVoxelCount()).isZero();
        for (int k = 0; k < p.sliceCount(); k++) assertThat(p.mask(k)).containsOnly(0);
    }

    @Test
    void accessorsReturnCopies() {
        Phantom p = PhantomGenerator.generate(SMALL);
        short[] hu = p.hu(0);
        Arrays.fill(hu, (short) 7);
        assertThat(p.hu(0)).isNotEqualTo(hu);
    }

    private static double medianHu(Phantom p, int label) {
        short[] values = new short[0];
        int n = 0;
        for (int k = 0; k < p.sliceCount(); k++) {
            byte[] labels = p.labels(k);
            short[] hu = p.hu(k);
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != label) continue;
                if (n == values.length) values = Arrays.copyOf(values, Math.max(16, 2 * n));
                values[n++] = hu[i];
            }
        }
        short[] used = Arrays.copyOf(values, n);
        Arrays.sort(used);
        return used[n / 2];
    }

    @Test
    void aPatientLyingElsewhereOnTheTableMovesTheTruthAndTheScanRangeButNotTheFieldOfView() {
        PhantomSpec spec = PhantomSpec.of(4711).withSize(64).withSlices(6);
        Phantom still = PhantomGenerator.generate(spec);
        org.ctai.inference.series.Vector3 shift = new org.ctai.inference.series.Vector3(0, -15, 40);
        Phantom moved = PhantomGenerator.generate(spec, shift);
        assertThat(PhantomGenerator.generate(spec, new org.ctai.inference.series.Vector3(0, 0, 0)).hu(3)).isEqualTo(still.hu(3));
        for (int k = 0; k < 6; k++) {
            assertThat(moved.geometry().slicePositions().get(k).z() - still.geometry().slicePositions().get(k).z())
                    .isCloseTo(40, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(moved.geometry().slicePositions().get(k).y()).isEqualTo(still.geometry().slicePositions().get(k).y());
        }
        for (int t = 0; t < still.tumours().size(); t++) {
            org.ctai.inference.series.Vector3 a = still.tumours().get(t).centreMm(), b = moved.tumours().get(t).centreMm();
            assertThat(b.y() - a.y()).isCloseTo(-15, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(b.z() - a.z()).isCloseTo(40, org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(moved.studyInstanceUid()).isNotEqualTo(still.studyInstanceUid());
    }
}
