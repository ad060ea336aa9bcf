package org.ctai.inference.segment;

import org.ctai.inference.model.ModelSource;
import org.ctai.inference.TestModels;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.model.ModelSpecException;
import org.ctai.inference.model.ModelContract.InputLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The 2.5-D path feeds each slice with its neighbours as channels, lowest first, repeating the end slices. */
class StackSegmenterTest {

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void eachSliceIsFedWithTheSliceBelowAsChannelZeroAndTheFirstSliceRepeatsAtTheEnd() {
        int slices = 7;
        int rows = 9;
        int columns = 11;
        Random random = new Random(3);
        float[][] hu = new float[slices][rows * columns];
        for (float[] slice : hu) for (int i = 0; i < slice.length; i++) slice[i] = 2 * random.nextInt(300) - 299;
        ModelConfig config = ModelConfig.builder().file(TestModels.STACK_PREVIOUS).device(ModelSpec.Device.CPU).batchSize(3).build();
        try (Segmenter segmenter = Segmenter.open(config)) {
            assertThat(segmenter.spec().inputLayout()).isEqualTo(new InputLayout.Stack25d(3));

            byte[][] masks = segmenter.segmentSlices(hu, rows, columns);

            for (int z = 0; z < slices; z++) {
                float[] below = hu[Math.max(0, z - 1)];
                for (int i = 0; i < rows * columns; i++) {
                    assertThat(masks[z][i]).as("slice %d pixel %d", z, i).isEqualTo((byte) (below[i] > 0 ? 1 : 0));
                }
            }
        }
    }

    @Test
    void refusesAStackThatDoesNotMatchTheModelsChannels() throws Exception {
        java.nio.file.Path model = java.nio.file.Files.copy(TestModels.STACK_PREVIOUS, dir.resolve("s.onnx"));
        java.nio.file.Files.writeString(dir.resolve("s.manifest.json"), java.nio.file.Files.readString(
                new ModelSource.OnnxFile(TestModels.STACK_PREVIOUS).manifestPath()).replace("\"stack-slices\": 3", "\"stack-slices\": 5"));
        try {
            Segmenter.open(ModelConfig.builder().file(model).build()).close();
            throw new AssertionError("opened");
        } catch (ModelSpecException e) {
            assertThat(e.problems()).containsExactly("input.stack-slices 5 does not match the 3 channels of input 'stack' float[?,3,?,?]");
        }
    }
}
