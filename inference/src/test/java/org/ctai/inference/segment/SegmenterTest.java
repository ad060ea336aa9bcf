package org.ctai.inference.segment;

import org.ctai.inference.SyntheticCt;
import org.ctai.inference.TestModels;
import org.ctai.inference.InferenceException;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.model.ModelContract.CropBox;
import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmenterTest {

    @TempDir
    Path dir;

    private static float[] randomHu(int pixels, long seed) {
        Random random = new Random(seed);
        float[] hu = new float[pixels];
        for (int i = 0; i < pixels; i++) hu[i] = random.nextInt(601) - 300;
        return hu;
    }

    @Test
    void takesItsContractFromTheModelMetadataAndMasksThePixelsAtOrAboveTheWindowCentre() {
        try (Segmenter segmenter = Segmenter.open(ModelConfig.builder().file(TestModels.THRESHOLD).build())) {
            ModelSpec spec = segmenter.spec();
            assertThat(spec.normalization()).isEqualTo(new Normalization.HuWindow(0, 200));
            assertThat(spec.inputSize()).isEqualTo(new InputSize.Dynamic(8));
            assertThat(spec.inputName()).isEqualTo("image");
            assertThat(spec.outputKind()).isEqualTo(OutputKind.SIGMOID);
            assertThat(spec.labels()).containsExactly(SegmentLabel.NEOPLASM);
            // 37 x 45 is no multiple of 8: padded to 40 x 48 and cut back
            float[][] hu = {randomHu(37 * 45, 1), randomHu(37 * 45, 2), randomHu(37 * 45, 3)};

            byte[][] masks = segmenter.segmentSlices(hu, 37, 45);

            for (int s = 0; s < hu.length; s++) {
                for (int i = 0; i < hu[s].length; i++) {
                    assertThat(masks[s][i]).as("slice %d pixel %d (%s HU)", s, i, hu[s][i]).isEqualTo((byte) (hu[s][i] >= 0 ? 1 : 0));
                }
            }
        }
    }

    @Test
    void configurationOverridesTheModelMetadata() {
        ModelConfig config = ModelConfig.builder().file(TestModels.THRESHOLD)
                .normalization(new Normalization.HuWindow(100, 50)).batchSize(2).threads(1).build();
        try (Segmenter segmenter = Segmenter.open(config)) {
            float[][] hu = {randomHu(16 * 16, 4), randomHu(16 * 16, 5), randomHu(16 * 16, 6)};

            byte[][] masks = segmenter.segmentSlices(hu, 16, 16);

            assertThat(segmenter.spec().batchSize()).isEqualTo(2);
            for (int s = 0; s < hu.length; s++) {
                for (int i = 0; i < hu[s].length; i++) {
                    assertThat(masks[s][i]).isEqualTo((byte) (hu[s][i] >= 100 ? 1 : 0));
                }
            }
        }
    }

    @Test
    void logitsOutputIsCutAtTheLogitOfTheThreshold() {
        ModelConfig config = ModelConfig.builder().file(TestModels.THRESHOLD_LOGITS)
                .normalization(new Normalization.HuWindow(0, 200)).output(OutputKind.LOGITS).threshold(0.8).build();
        try (Segmenter segmenter = Segmenter.open(config)) {
            float[][] hu = {randomHu(24 * 8, 7)};

            byte[] mask = segmenter.segmentSlices(hu, 24, 8)[0];

            for (int i = 0; i < mask.length; i++) {
                double x = Math.min(1, Math.max(0, (hu[0][i] + 100) / 200.0));
                double probability = 1 / (1 + Math.exp(-(10 * x - 5)));
                assertThat(mask[i]).as("%s HU", hu[0][i]).isEqualTo((byte) (probability >= 0.8 ? 1 : 0));
            }
        }
    }

    @Test
    void softmaxGivesEachPixelTheLabelOfItsHighestChannel() {
        List<SegmentLabel> labels = SegmentLabel.parseList("SCT:108369006:Neoplasm;SCT:49755003:Morphologically abnormal structure>SCT:86049000:Malignant neoplasm, primary");
        ModelConfig config = ModelConfig.builder().file(TestModels.SOFTMAX)
                .normalization(new Normalization.HuWindow(0, 200)).output(OutputKind.SOFTMAX).labels(labels).build();
        try (Segmenter segmenter = Segmenter.open(config)) {
            // x = (HU + 100) / 200: background below -40 HU, label 1 from -40 to 80, label 2 above 80
            float[][] hu = {{-300, -41, -39, 0, 79, 81, 300, -100}};

            byte[] mask = segmenter.segmentSlices(hu, 2, 4)[0];

            assertThat(mask).containsExactly(0, 0, 1, 1, 1, 2, 2, 0);
            assertThat(segmenter.spec().labels().get(1).type().meaning()).isEqualTo("Malignant neoplasm, primary");
        }
    }

    @Test
    void seedSignatureModelRunsWithTheSeedsMinMaxAndCropOnAVolume() throws Exception {
        SyntheticCt.Series series = new SyntheticCt.Series();
        float[][] expectedInputs = new float[2][];
        for (int i = 0; i < 2; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.rows = 512;
            s.columns = 512;
            s.rawPixels = seedLikeSlice(i);
            s.writeTo(dir);
            expectedInputs[i] = seedPreprocessing(s.rawPixels);
        }
        Volume volume = new SeriesLoader().load(List.of(dir), series.seriesUid).volumeOrThrow();
        ModelConfig config = ModelConfig.builder().file(TestModels.SEED_SIGNATURE)
                .normalization(new Normalization.MinMax(Optional.of(CropBox.SEED))).build();

        List<byte[]> masks;
        try (Segmenter segmenter = Segmenter.open(config)) {
            assertThat(segmenter.spec().inputName()).isEqualTo("input.1");
            assertThat(segmenter.spec().outputName()).isEqualTo("41");
            assertThat(segmenter.spec().inputSize()).isEqualTo(new InputSize.Fixed(512, 512));
            assertThat(segmenter.spec().batchSize()).isEqualTo(1);
            masks = segmenter.segment(volume);
        }

        assertThat(masks).hasSize(2);
        for (int i = 0; i < 2; i++) {
            byte[] reference = bareOnnxRuntimeMask(expectedInputs[i]);
            assertThat(masks.get(i)).as("slice %d against bare ONNX Runtime", i).isEqualTo(reference);
            int inside = 0;
            for (int r = 0; r < 512; r++) {
                for (int c = 0; c < 512; c++) {
                    boolean inBox = r >= 270 && r <= 429 && c >= 200 && c <= 299;
                    if (!inBox) assertThat(masks.get(i)[r * 512 + c]).as("outside the seed's crop box").isZero();
                    else inside += masks.get(i)[r * 512 + c];
                }
            }
            assertThat(inside).as("bright blob inside the crop box is found").isGreaterThan(100);
        }
    }

    /** Soft tissue with a bright disc inside the seed's crop box and another outside it. */
    private static short[] seedLikeSlice(int index) {
        short[] raw = new short[512 * 512];
        for (int r = 0; r < 512; r++) {
            for (int c = 0; c < 512; c++) {
                double inBox = Math.hypot(r - 350, c - 250 - index);
                double outside = Math.hypot(r - 100, c - 100);
                int hu = inBox < 25 || outside < 30 ? 300 : 40 + ((r * 7 + c * 3) % 11);
                raw[r * 512 + c] = (short) (hu + 1024); // intercept -1024
            }
        }
        return raw;
    }

    /** The seed's preprocessing written out independently: crop rows 270-429, columns 200-299, min-max, zeros elsewhere. */
    private static float[] seedPreprocessing(short[] raw) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int r = 270; r < 430; r++) {
            for (int c = 200; c < 300; c++) {
                float hu = raw[r * 512 + c] - 1024f;
                min = Math.min(min, hu);
                max = Math.max(max, hu);
            }
        }
        float[] input = new float[512 * 512];
        for (int r = 270; r < 430; r++) {
            for (int c = 200; c < 300; c++) {
                input[r * 512 + c] = (raw[r * 512 + c] - 1024f - min) / (max - min);
            }
        }
        return input;
    }

    private static byte[] bareOnnxRuntimeMask(float[] input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(TestModels.SEED_SIGNATURE.toString(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 1, 512, 512});
             OrtSession.Result result = session.run(Map.of("input.1", tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            byte[] mask = new byte[input.length];
            for (int i = 0; i < mask.length; i++) mask[i] = out.get(i) >= 0.5f ? (byte) 1 : 0;
            return mask;
        }
    }

    @Test
    void aClosedSegmenterRefusesWorkAndClosesOnlyOnce() {
        Segmenter segmenter = Segmenter.open(ModelConfig.builder().file(TestModels.THRESHOLD).device(ModelSpec.Device.CPU).build());
        segmenter.close();
        segmenter.close();

        assertThatThrownBy(() -> segmenter.segmentSlices(new float[][] {new float[4]}, 2, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aMissingModelFileIsNamed() {
        Path missing = dir.resolve("nowhere.onnx");

        assertThatThrownBy(() -> Segmenter.open(ModelConfig.builder().file(missing).build()))
                .isInstanceOf(InferenceException.class).hasMessageContaining("model.file " + missing);
    }
}
