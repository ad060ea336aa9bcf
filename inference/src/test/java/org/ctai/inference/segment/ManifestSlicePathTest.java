package org.ctai.inference.segment;

import org.ctai.inference.TestModels;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelContract.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A slice-2d manifest feeds today's 2-D path: it overrides the model's metadata, and the configuration overrides it. */
class ManifestSlicePathTest {

    @TempDir
    Path dir;

    private Path withManifest(String normalization) throws IOException {
        Path model = Files.copy(TestModels.THRESHOLD, dir.resolve("t.onnx"));
        Files.writeString(dir.resolve("t.manifest.json"), """
                {"manifest-version": 1, "input": {"layout": "slice-2d"}, "normalization": %s,
                 "output": {"kind": "sigmoid"}, "labels": [{"name": "Tumour", "type": "SCT:108369006:Neoplasm",
                 "finding-site": "SCT:10200004:Liver"}]}""".formatted(normalization));
        return model;
    }

    private static float[] ramp() {
        float[] hu = new float[100];
        for (int i = 0; i < hu.length; i++) hu[i] = i;
        return hu;
    }

    @Test
    void zScoreFromTheManifestReplacesTheMetadataWindow() throws IOException {
        // (HU - 0) / 100 >= 0.5 from 50 HU; the metadata's window 0/200 would mark from 0 HU
        try (Segmenter s = Segmenter.open(ModelConfig.builder().file(withManifest("{\"method\": \"z-score\", \"mean\": 0, \"std\": 100}")).build())) {
            assertThat(s.spec().normalization()).isEqualTo(new Normalization.ZScore(0, 100, Optional.empty()));
            assertThat(s.spec().labels().get(0).name()).isEqualTo("Tumour");

            byte[] mask = s.segmentSlices(new float[][] {ramp()}, 10, 10)[0];

            for (int i = 0; i < 100; i++) assertThat(mask[i]).as("%d HU", i).isEqualTo((byte) (i >= 50 ? 1 : 0));
        }
    }

    @Test
    void percentileClipScalesTheSlicesOwnRange() throws IOException {
        // 0..99 HU clipped to its 0th..100th percentiles (0 and 99) and scaled: >= 0.5 from 49.5 HU
        try (Segmenter s = Segmenter.open(ModelConfig.builder().file(withManifest("{\"method\": \"percentile\", \"low\": 0, \"high\": 100}")).build())) {
            byte[] mask = s.segmentSlices(new float[][] {ramp()}, 10, 10)[0];

            for (int i = 0; i < 100; i++) assertThat(mask[i]).as("%d HU", i).isEqualTo((byte) (i >= 50 ? 1 : 0));
        }
    }

    @Test
    void theConfigurationOverridesTheManifest() throws IOException {
        ModelConfig config = ModelConfig.builder().file(withManifest("{\"method\": \"z-score\", \"mean\": 0, \"std\": 100}"))
                .normalization(new Normalization.HuWindow(20, 40)).build();
        try (Segmenter s = Segmenter.open(config)) {
            byte[] mask = s.segmentSlices(new float[][] {ramp()}, 10, 10)[0];

            for (int i = 0; i < 100; i++) assertThat(mask[i]).as("%d HU", i).isEqualTo((byte) (i >= 20 ? 1 : 0));
        }
    }
}
