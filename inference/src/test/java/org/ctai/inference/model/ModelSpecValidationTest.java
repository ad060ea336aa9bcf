package org.ctai.inference.model;

import org.ctai.inference.TestModels;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spec is checked against the model's declared inputs and outputs at start, and every mismatch is said exactly. */
class ModelSpecValidationTest {

    private static final Normalization SEED_MIN_MAX = new Normalization.MinMax(Optional.of(ModelContract.CropBox.SEED));

    private static ModelSpecException failure(ModelConfig config) {
        try (Segmenter ignored = Segmenter.open(config)) {
            throw new AssertionError("model opened although it does not fit: " + ignored.spec());
        } catch (ModelSpecException e) {
            return e;
        }
    }

    @Test
    void namesTheModelsInputsWhenTheConfiguredInputIsNotOne() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SEED_SIGNATURE)
                .normalization(SEED_MIN_MAX).inputName("image").build());

        assertThat(e.problems()).containsExactly(
                "model.input-name 'image' is not an input of the model; its inputs: 'input.1' float[1,1,512,512]");
        assertThat(e.getMessage()).contains("seed_signature.onnx");
    }

    @Test
    void refusesAnInputSizeOtherThanTheFixedOne() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SEED_SIGNATURE)
                .normalization(SEED_MIN_MAX).inputSize(new InputSize.Fixed(256, 256)).build());

        assertThat(e.problems()).containsExactly(
                "model.input-size 256x256 does not match the fixed size 512x512 of input 'input.1' float[1,1,512,512]");
    }

    @Test
    void refusesABatchSizeOtherThanTheFixedBatch() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SEED_SIGNATURE)
                .normalization(SEED_MIN_MAX).batchSize(4).build());

        assertThat(e.problems()).containsExactly(
                "model.batch-size 4 does not match the fixed batch dimension 1 of input 'input.1' float[1,1,512,512]");
    }

    @Test
    void requiresAnInputSizeInMultiplesOfTheSizeMultipleForDynamicModels() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.THRESHOLD)
                .inputSize(new InputSize.Fixed(100, 100)).build());

        assertThat(e.problems()).containsExactly(
                "model.input-size 100x100 is not a multiple of 8 (model.size-multiple) in both dimensions");
    }

    @Test
    void requiresANormalisationWhenTheModelCarriesNone() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SEED_SIGNATURE).build());

        assertThat(e.problems()).containsExactly(
                "model.normalization is not set (window or minmax) and the model carries no manifest and no ctai.normalization metadata");
    }

    @Test
    void matchesSoftmaxLabelsToTheOutputChannels() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SOFTMAX)
                .normalization(new Normalization.HuWindow(0, 200)).output(OutputKind.SOFTMAX)
                .labels(SegmentLabel.parseList("SCT:1:A;SCT:2:B;SCT:3:C")).build());

        assertThat(e.problems()).containsExactly(
                "model.labels names 3 labels but output 'classes' float[?,3,?,?] has 3 channels (background + 2)");
    }

    @Test
    void refusesAProbabilityOutputWithSeveralChannels() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SOFTMAX)
                .normalization(new Normalization.HuWindow(0, 200)).build());

        assertThat(e.problems()).containsExactly(
                "model.output sigmoid needs 1 channel, output 'classes' float[?,3,?,?] has 3 (use softmax for one channel per class)");
    }

    @Test
    void reportsEveryMismatchAtOnce() {
        ModelSpecException e = failure(ModelConfig.builder().file(TestModels.SEED_SIGNATURE)
                .inputSize(new InputSize.Fixed(256, 256)).batchSize(2).build());

        assertThat(e.problems()).hasSize(3);
        assertThat(e.getMessage()).contains("model.input-size 256x256").contains("model.batch-size 2").contains("model.normalization");
    }

    @Test
    void configurationKeysAreParsedAndEveryBadValueIsNamedWithItsKey() {
        assertThatThrownBy(() -> ModelConfig.fromProperties(Map.of(
                "model.threshold", "half",
                "model.device", "gpu",
                "model.crop", "270-429",
                "model.tresh", "0.5",
                "dicom.port", "104")))
                .isInstanceOfSatisfying(ModelSpecException.class, e -> assertThat(e.problems()).containsExactly(
                        "model.crop: expected ROW-ROW,COLUMN-COLUMN such as 270-429,200-299, was '270-429' (was '270-429')",
                        "model.device: expected one of auto, cpu, cuda, was 'gpu' (was 'gpu')",
                        "model.threshold: expected a number (was 'half')",
                        "unknown key model.tresh (known: model.batch-size, model.crop, model.device, model.file, model.input-name, "
                                + "model.input-size, model.labels, model.layout, model.normalization, model.output, model.size-multiple, "
                                + "model.threads, model.threshold, model.window-center, model.window-width)"));
    }

    @Test
    void configurationKeysBuildTheSeedsSpecification() {
        ModelConfig config = ModelConfig.fromProperties(Map.of(
                "model.file", TestModels.SEED_SIGNATURE.toString(),
                "model.normalization", "minmax",
                "model.crop", "270-429,200-299",
                "model.output", "probability",
                "model.threshold", "0.5",
                "model.labels", "SCT:108369006:Neoplasm",
                "model.device", "cpu",
                "model.threads", "1",
                "model.input-name", ""));

        try (Segmenter segmenter = Segmenter.open(config)) {
            assertThat(segmenter.spec().normalization()).isEqualTo(SEED_MIN_MAX);
            assertThat(segmenter.spec().labels()).containsExactly(SegmentLabel.NEOPLASM);
            assertThat(segmenter.spec().threads()).isEqualTo(1);
        }
    }

    @Test
    void windowNormalisationNeedsCentreAndWidth() {
        assertThatThrownBy(() -> ModelConfig.fromProperties(Map.of("model.normalization", "window", "model.window-center", "40")))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageContaining("model.normalization=window needs model.window-center and model.window-width");
    }
}
