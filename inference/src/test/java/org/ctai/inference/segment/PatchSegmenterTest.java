package org.ctai.inference.segment;

import org.ctai.inference.model.ModelSource;
import org.ctai.inference.TestModels;
import org.ctai.inference.StageTimer;
import org.ctai.inference.StageTimings;
import org.ctai.inference.model.ModelSpecException;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.model.ModelContract;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.model.ModelContract.Code;
import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.Spacing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchSegmenterTest {

    @TempDir
    Path dir;

    private static Segmenter open(Path model) {
        return Segmenter.open(ModelConfig.builder().file(model).device(ModelSpec.Device.CPU).build());
    }

    @Test
    void aPointwiseModelGivesTheSameMaskThroughOverlappingPatchesOfAVolumeThatIsNoMultipleOfThePatch() {
        int slices = 13;
        int rows = 37;
        int columns = 45;
        Random random = new Random(7);
        float[][] hu = new float[slices][rows * columns];
        // odd HU only: 0 HU would sit exactly on the threshold, where float rounding of the blend decides
        for (float[] slice : hu) for (int i = 0; i < slice.length; i++) slice[i] = 2 * random.nextInt(300) - 299;
        try (Segmenter segmenter = open(TestModels.THRESHOLD_PATCH)) {
            assertThat(segmenter.spec().inputLayout()).isEqualTo(new InputLayout.Patch3d(8, 16, 16, 0.5));

            byte[][] masks = segmenter.segmentSlices(hu, rows, columns);

            for (int z = 0; z < slices; z++) {
                for (int i = 0; i < rows * columns; i++) {
                    assertThat(masks[z][i]).as("slice %d voxel %d (%s HU)", z, i, hu[z][i]).isEqualTo((byte) (hu[z][i] > 0 ? 1 : 0));
                }
            }
        }
    }

    @Test
    void overlappingPatchesAreBlendedWithGaussianWeightsSoTheBorderFallsMidwayBetweenPatchCentres() {
        // columns 0-7 at -100 HU (0), 8-15 at 0 HU (0.5), 16-23 at 100 HU (1): patches at columns 0-15 and 8-23 have
        // means 0.25 and 0.75. Gaussian weights: the blend reaches 0.5 where both weigh the same, midway between the
        // centres 7.5 and 15.5, so columns 12.. are marked. A plain mean would mark 8.., the last patch winning 8.. too.
        int rows = 4;
        int columns = 24;
        float[][] hu = new float[2][rows * columns];
        for (float[] slice : hu) {
            for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) slice[r * columns + c] = c < 8 ? -100 : c < 16 ? 0 : 100;
        }
        try (Segmenter segmenter = open(TestModels.PATCH_MEAN)) {
            byte[][] masks = segmenter.segmentSlices(hu, rows, columns);

            for (byte[] mask : masks) {
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < columns; c++) assertThat(mask[r * columns + c]).as("column %d", c).isEqualTo((byte) (c >= 12 ? 1 : 0));
                }
            }
        }
    }

    @Test
    void resamplesToTheTargetSpacingAndBringsEachLabelBackToTheSeriesGrid() {
        // 1 mm voxels, two balls of radius 9 mm in -100 HU (0): -20 HU (0.4, label 1 from 0.2) and 100 HU (1.0, label 2
        // from 0.5), so each edge lies halfway through the partial volume of the 2 mm grid. The bright ball's blurred
        // edge passes through label 1's band, a thin label-1 shell the model rightly finds; so each label is compared
        // within 14 mm of its own ball, with the ball and with the same model on the native grid.
        int slices = 40;
        int size = 56;
        double[][] centres = {{14, 20, 18}, {26, 36, 38}};
        float[][] hu = new float[slices][size * size];
        byte[][] balls = new byte[slices][size * size];
        for (int z = 0; z < slices; z++) {
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    int i = r * size + c;
                    hu[z][i] = -100;
                    for (int k = 0; k < 2; k++) {
                        double[] p = centres[k];
                        if ((z - p[0]) * (z - p[0]) + (r - p[1]) * (r - p[1]) + (c - p[2]) * (c - p[2]) <= 81) {
                            hu[z][i] = k == 0 ? -20 : 100;
                            balls[z][i] = (byte) (k + 1);
                        }
                    }
                }
            }
        }
        java.util.List<Vector3> positions = new java.util.ArrayList<>();
        for (int z = 0; z < slices; z++) positions.add(new Vector3(0, 0, z));
        Geometry g = new Geometry(size, size, 1, 1, new Vector3(1, 0, 0), new Vector3(0, 1, 0), positions);
        try (Segmenter segmenter = open(TestModels.SOFTMAX_PATCH)) {
            assertThat(segmenter.spec().targetSpacing()).contains(new Spacing(2, 2, 2));
            assertThat(segmenter.spec().labels()).extracting(ModelContract.SegmentLabel::name).containsExactly("Hypodense lesion", "Hyperdense lesion");
            assertThat(segmenter.spec().labels().get(1).findingSite()).contains(new Code("SCT", "10200004", "Liver"));
            assertThat(Resampling.plan(g, slices, segmenter.spec().targetSpacing()))
                    .isEqualTo(new Resampling(slices, size, size, 20, 28, 28));
            byte[][] nativeGrid = segmenter.segmentSlices(hu, size, size);

            StageTimer timer = new StageTimer();
            byte[][] masks = segmenter.segmentGrid(g, slices, z -> hu[z].clone(), "1.2.3", timer);

            for (int label = 1; label <= 2; label++) {
                double[] near = centres[label - 1];
                assertThat(dice(masks, nativeGrid, label, near, size)).as("Dice of label %d with the native grid", label).isGreaterThan(0.9);
                assertThat(dice(masks, balls, label, near, size)).as("Dice of label %d with its ball", label).isGreaterThan(0.9);
            }
            StageTimings t = timer.timings();
            assertThat(t.preprocess()).isPositive();
            assertThat(t.inference()).isPositive();
            assertThat(t.postprocess()).isPositive();
        }
    }

    /** Dice of {@code label} in {@code a} and {@code b} over the voxels within 14 mm of {@code centre}. */
    private static double dice(byte[][] a, byte[][] b, int label, double[] centre, int size) {
        long both = 0;
        long count = 0;
        for (int z = 0; z < a.length; z++) {
            for (int i = 0; i < a[z].length; i++) {
                double dz = z - centre[0];
                double dr = i / size - centre[1];
                double dc = i % size - centre[2];
                if (dz * dz + dr * dr + dc * dc > 14 * 14) continue;
                if (a[z][i] == label) count++;
                if (b[z][i] == label) count++;
                if (a[z][i] == label && b[z][i] == label) both++;
            }
        }
        return 2.0 * both / count;
    }

    @Test
    void refusesAPatchSizeThatDoesNotFitTheModelsFixedInput() throws IOException {
        Path model = Files.copy(TestModels.THRESHOLD_PATCH, dir.resolve("m.onnx"));
        Files.writeString(dir.resolve("m.manifest.json"), Files.readString(new ModelSource.OnnxFile(TestModels.THRESHOLD_PATCH).manifestPath())
                .replaceFirst("\"patch-size\": \\[\\s*8,\\s*16,\\s*16\\s*]", "\"patch-size\": [8, 16, 32]"));

        assertThatThrownBy(() -> open(model)).isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.problems())
                .containsExactly("input.patch-size [8, 16, 32] (with batch 1 and 1 channel) does not fit input 'volume' float[1,1,8,16,16]",
                        "output 'probability' float[1,1,8,16,16] is not the patch size [8, 16, 32]"));
    }

    @Test
    void refusesLabelsThatDoNotMatchTheOutputChannels() throws IOException {
        Path model = Files.copy(TestModels.THRESHOLD_PATCH, dir.resolve("m.onnx"));
        Files.writeString(dir.resolve("m.manifest.json"), """
                {"manifest-version": 1, "input": {"layout": "patch-3d", "patch-size": [8, 16, 16]},
                 "normalization": {"method": "window", "center": 0, "width": 200}, "output": {"kind": "sigmoid"},
                 "labels": [{"type": "SCT:1:A"}, {"type": "SCT:2:B"}]}""");

        assertThatThrownBy(() -> open(model)).isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.problems())
                .containsExactly("labels name 2 label(s), so output sigmoid needs 2 channel(s), output 'probability' float[1,1,8,16,16] has 1"));
    }

    @Test
    void aModelWithoutManifestKeepsTheSlicePath() {
        try (Segmenter segmenter = open(TestModels.THRESHOLD)) {
            assertThat(segmenter.spec().inputLayout()).isEqualTo(new InputLayout.Slice2d());
            assertThat(segmenter.spec().targetSpacing()).isEqualTo(Optional.empty());
        }
    }
}
