package org.ctai.inference.model;

import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ModelContractTest {

    private static final String MANIFEST = """
            {"manifest-version": 1, "input": {"layout": "stack-2.5d", "stack-slices": 3},
             "normalization": {"method": "window", "center": 40, "width": 400},
             "output": {"kind": "sigmoid", "threshold": 0.4}, "labels": [{"type": "SCT:108369006:Neoplasm"}]}""";

    @Test
    void everyComponentIsOptionalSoThatLayersStackWithoutPerFieldCode() {
        for (RecordComponent c : ModelContract.class.getRecordComponents()) {
            assertThat(c.getType()).as(c.getName()).isEqualTo(Optional.class);
        }
    }

    @Test
    void theKeysOverrideWhatTheyNameAndTheManifestKeepsTheRest() {
        ModelContract manifest = ModelManifest.parse(MANIFEST, "m");
        ModelContract keys = ModelConfig.fromProperties(Map.of("model.threshold", "0.7", "model.output", "logits")).contract();

        ModelContract effective = keys.over(manifest);

        assertThat(effective.threshold()).contains(0.7);
        assertThat(effective.output()).contains(OutputKind.LOGITS);
        assertThat(effective.layout()).contains(new InputLayout.Stack25d(3));
        assertThat(effective.normalization()).contains(new Normalization.HuWindow(40, 400));
        assertThat(effective.labels()).contains(List.of(SegmentLabel.NEOPLASM));
    }

    @Test
    void theManifestAndTheKeysShareOneVocabularyForTheOutput() {
        ModelContract manifest = ModelManifest.parse(MANIFEST, "m");
        ModelContract keys = ModelConfig.fromProperties(Map.of("model.output", "sigmoid")).contract();
        ModelContract olderKeys = ModelConfig.fromProperties(Map.of("model.output", "probability")).contract();

        assertThat(keys.output()).isEqualTo(manifest.output()).contains(OutputKind.SIGMOID);
        assertThat(olderKeys.output()).contains(OutputKind.SIGMOID);
    }

    @Test
    void anEmptyLayerChangesNothing() {
        ModelContract manifest = ModelManifest.parse(MANIFEST, "m");

        assertThat(ModelContract.NONE.over(manifest)).isEqualTo(manifest);
        assertThat(manifest.over(ModelContract.NONE)).isEqualTo(manifest);
    }
}
