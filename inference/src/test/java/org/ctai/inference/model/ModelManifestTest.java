package org.ctai.inference.model;

import org.ctai.inference.model.ModelContract.Code;
import org.ctai.inference.model.ModelContract.HuRange;
import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.model.ModelContract.Spacing;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelManifestTest {

    private static final String PATCH = """
            {
              "manifest-version": 1,
              "input": {"layout": "patch-3d", "patch-size": [16, 32, 32], "overlap": 0.25, "spacing-mm": [2.0, 1.5, 1.5]},
              "normalization": {"method": "z-score", "mean": 60, "std": 45, "clip-hu": [-100, 240]},
              "output": {"kind": "softmax"},
              "labels": [
                {"name": "Liver tumour", "type": "SCT:108369006:Neoplasm", "finding-site": "SCT:10200004:Liver"},
                {"category": "SCT:91723000:Anatomical structure", "type": "SCT:10200004:Liver"}
              ]
            }""";

    private static ModelSpecException failure(String json) {
        try {
            ModelManifest.parse(json, "m.manifest.json");
        } catch (ModelSpecException e) {
            return e;
        }
        throw new AssertionError("manifest was accepted: " + json);
    }

    @Test
    void readsEveryPartOfAPatchManifest() {
        ModelContract m = ModelManifest.parse(PATCH, "m.manifest.json");

        assertThat(m.layout()).contains(new InputLayout.Patch3d(16, 32, 32, 0.25));
        assertThat(m.spacing()).contains(new Spacing(2.0, 1.5, 1.5));
        assertThat(m.normalization()).contains(new Normalization.ZScore(60, 45, Optional.of(new HuRange(-100, 240))));
        assertThat(m.output()).contains(OutputKind.SOFTMAX);
        assertThat(m.threshold()).contains(ModelSpec.DEFAULT_THRESHOLD);
        assertThat(m.labels().orElseThrow()).containsExactly(
                new SegmentLabel(SegmentLabel.MORPHOLOGICALLY_ABNORMAL_STRUCTURE, new Code("SCT", "108369006", "Neoplasm"),
                        Optional.of(new Code("SCT", "10200004", "Liver")), "Liver tumour"),
                new SegmentLabel(new Code("SCT", "91723000", "Anatomical structure"), new Code("SCT", "10200004", "Liver")));
    }

    @Test
    void overlapDefaultsToHalfAndSpacingToNone() {
        ModelContract m = ModelManifest.parse(PATCH.replace(", \"overlap\": 0.25, \"spacing-mm\": [2.0, 1.5, 1.5]", ""), "m");

        assertThat(m.layout()).contains(new InputLayout.Patch3d(16, 32, 32, 0.5));
        assertThat(m.spacing()).isEmpty();
    }

    @Test
    void readsAStackAndAPercentileClip() {
        ModelContract m = ModelManifest.parse("""
                {"manifest-version": 1, "input": {"layout": "stack-2.5d", "stack-slices": 5},
                 "normalization": {"method": "percentile", "low": 0.5, "high": 99.5},
                 "output": {"kind": "sigmoid", "threshold": 0.4}, "labels": [{"type": "SCT:108369006:Neoplasm"}]}""", "m");

        assertThat(m.layout()).contains(new InputLayout.Stack25d(5));
        assertThat(m.normalization()).contains(new Normalization.PercentileClip(0.5, 99.5));
        assertThat(m.output()).contains(OutputKind.SIGMOID);
        assertThat(m.threshold()).contains(0.4);
        assertThat(m.labels().orElseThrow()).containsExactly(SegmentLabel.NEOPLASM);
    }

    @Test
    void namesEveryBadKeyWithItsValue() {
        ModelSpecException e = failure("""
                {"manifest-version": 1,
                 "input": {"layout": "patch-3d", "patch-size": [16, 32], "overlap": 1.5, "spacing": [1, 1, 1]},
                 "normalization": {"method": "z-score", "mean": 60, "std": 0},
                 "output": {"kind": "sigmoid", "threshold": 2},
                 "labels": [{"type": "Neoplasm"}]}""");

        assertThat(e.problems()).containsExactly(
                "unknown key input.spacing (known: input.layout, input.overlap, input.patch-size, input.spacing-mm, input.stack-slices)",
                "input.patch-size must be a list of 3 numbers, was [16,32]",
                "normalization.std: std must be positive, was 0.0 (was 0.0)",
                "output.threshold must be between 0 and 1 (exclusive), was 2.0",
                "labels[0].type: expected SCHEME:VALUE:MEANING such as SCT:108369006:Neoplasm, was 'Neoplasm'");
        assertThat(e.getMessage()).startsWith("model manifest m.manifest.json:");
    }

    @Test
    void refusesAnOverlapOfOneOrMore() {
        assertThat(failure(PATCH.replace("0.25", "1.0")).problems())
                .containsExactly("input.overlap: overlap must be in [0, 1), was 1.0 (was 1.0)");
    }

    @Test
    void refusesAnUnknownLayoutAndPatchKeysOnASlice() {
        assertThat(failure(PATCH.replace("\"patch-3d\"", "\"volume\"")).problems())
                .containsExactly("input.layout must be slice-2d, stack-2.5d or patch-3d, was 'volume'");
        assertThat(failure(PATCH.replace("\"patch-3d\"", "\"slice-2d\"")).problems()).containsExactly(
                "input.patch-size applies to patch-3d only, not to slice-2d",
                "input.overlap applies to patch-3d only, not to slice-2d",
                "input.spacing-mm applies to patch-3d only, not to slice-2d");
    }

    @Test
    void refusesAnEvenStackAndAMissingVersion() {
        assertThat(failure("""
                {"input": {"layout": "stack-2.5d", "stack-slices": 4}, "normalization": {"method": "window", "center": 40, "width": 400},
                 "output": {"kind": "softmax"}, "labels": [{"type": "SCT:108369006:Neoplasm"}]}""").problems()).containsExactly(
                "manifest-version must be 1, was missing",
                "input.stack-slices: a stack needs an odd number of slices >= 3, was 4 (was 4)");
    }

    @Test
    void refusesSeveralSigmoidLabelsOnA2dModel() {
        assertThat(failure("""
                {"manifest-version": 1, "input": {"layout": "slice-2d"}, "normalization": {"method": "window", "center": 40, "width": 400},
                 "output": {"kind": "sigmoid"}, "labels": [{"type": "SCT:1:A"}, {"type": "SCT:2:B"}]}""").problems()).containsExactly(
                "labels: output.kind sigmoid with 2 labels needs input.layout patch-3d; 2-D models give one sigmoid label or use softmax");
    }

    @Test
    void reportsBrokenJsonWithItsPlace() {
        assertThat(failure("{\"manifest-version\": 1,\n \"input\": }").problems().get(0)).startsWith("not valid JSON").contains("line 2");
    }

    @Test
    void modelFileBundledPrefixNamesABundledModel() {
        assertThat(ModelSource.of(Path.of("bundled:ctai-phantom-unet"))).isEqualTo(ModelSource.DEFAULT);
        assertThat(ModelSource.of(Path.of("models/liver.onnx"))).isEqualTo(new ModelSource.OnnxFile(Path.of("models/liver.onnx")));
    }

    @Test
    void liesNextToTheOnnxFile() {
        assertThat(ModelManifest.pathFor(Path.of("/models/liver.onnx"))).isEqualTo(Path.of("/models/liver.manifest.json"));
    }
}
