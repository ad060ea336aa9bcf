package org.ctai.inference.phantom;

import org.ctai.inference.model.ModelContract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled default model on fresh phantoms, through the node's own path: DICOM files written by
 * the generator, loaded by {@link SeriesLoader}, segmented by {@link Segmenter} with the model's
 * own metadata as its preprocessing contract. Seeds from 9000 up are never used in training (see
 * inference/training/make_phantoms.sh).
 */
class DefaultModelAccuracyTest {

    private static Segmenter segmenter;

    @TempDir
    Path dir;

    @BeforeAll
    static void openDefaultModel() {
        segmenter = Segmenter.open(ModelConfig.builder().device(ModelSpec.Device.CPU).build());
    }

    @AfterAll
    static void close() {
        segmenter.close();
    }

    @Test
    void bundledModelCarriesItsPreprocessingContract() {
        ModelSpec spec = segmenter.spec();
        assertThat(spec.normalization()).isEqualTo(new ModelContract.Normalization.HuWindow(40, 400));
        assertThat(spec.outputKind()).isEqualTo(ModelContract.OutputKind.SIGMOID);
        assertThat(spec.threshold()).isEqualTo(0.5);
    }

    /** Dice >= 0.85 over tumour voxels and tumour volume within 10% of the truth, per phantom. */
    @ParameterizedTest
    @ValueSource(longs = {9001, 9002})
    void segmentsUnseenPhantomsAt512(long seed) throws Exception {
        Score score = segment(PhantomSpec.of(seed).withSlices(12).withTumours(2));
        assertThat(score.dice()).as(score.toString()).isGreaterThanOrEqualTo(0.85);
        assertThat(score.volumeRatio()).as(score.toString()).isCloseTo(1.0, within(0.10));
    }

    /** At 256 pixels (1.5 mm) the model is weaker at the edges, which weigh more: Dice is still required. */
    @Test
    void segmentsUnseenPhantomAt256() throws Exception {
        Score score = segment(PhantomSpec.of(9003).withSize(256).withSlices(16).withTumours(2));
        assertThat(score.dice()).as(score.toString()).isGreaterThanOrEqualTo(0.85);
        assertThat(score.volumeRatio()).as(score.toString()).isCloseTo(1.0, within(0.15));
    }

    @Test
    void findsNothingWhereThereIsNoTumour() throws Exception {
        Score score = segment(PhantomSpec.of(9004).withSize(256).withSlices(12).withTumours(0));
        // a few stray pixels at most: well under one small lesion
        assertThat(score.predictedVolumeMm3()).as(score.toString()).isLessThan(200);
    }

    record Score(long seed, int size, long truthVoxels, long predictedVoxels, long overlap, double voxelVolumeMm3) {

        double dice() {
            return truthVoxels + predictedVoxels == 0 ? 1 : 2.0 * overlap / (truthVoxels + predictedVoxels);
        }

        double volumeRatio() {
            return (double) predictedVoxels / truthVoxels;
        }

        double predictedVolumeMm3() {
            return predictedVoxels * voxelVolumeMm3;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "seed %d at %d px: dice %.3f, predicted %.0f mm3 vs true %.0f mm3 (ratio %.3f)",
                    seed, size, dice(), predictedVolumeMm3(), truthVoxels * voxelVolumeMm3, volumeRatio());
        }
    }

    private Score segment(PhantomSpec spec) throws Exception {
        Phantom phantom = PhantomGenerator.generate(spec);
        PhantomFiles files = PhantomGenerator.write(phantom, dir.resolve("seed-" + spec.seed()));
        Volume volume = new SeriesLoader().load(List.of(files.directory().resolve("dicom")), phantom.seriesInstanceUid()).volumeOrThrow();
        // the loader sorts along the normal, as the phantom does, whatever the instance numbers say
        assertThat(volume.geometry().slicePositions()).isEqualTo(phantom.geometry().slicePositions());
        List<byte[]> masks = segmenter.segment(volume);
        long truth = 0, predicted = 0, overlap = 0;
        for (int k = 0; k < phantom.sliceCount(); k++) {
            byte[] t = phantom.mask(k), p = masks.get(k);
            for (int i = 0; i < t.length; i++) {
                boolean inTruth = t[i] != 0, inPrediction = p[i] != 0;
                if (inTruth) truth++;
                if (inPrediction) predicted++;
                if (inTruth && inPrediction) overlap++;
            }
        }
        Score score = new Score(spec.seed(), spec.size(), truth, predicted, overlap, phantom.voxelVolumeMm3());
        System.out.println(score);
        return score;
    }
}
