package org.ctai.inference;

import org.ctai.inference.model.ModelSource;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.SeriesAnalyzer.LabelFindings;
import org.ctai.inference.measure.LesionMeasurer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A two-label 3-D model: each label's lesions and measurements come separately, and every stage is timed. */
class SeriesAnalyzerLabelsTest {

    static final int SLICES = 20;
    static final int SIZE = 40;

    @TempDir
    Path dir;

    /** Box 1 (-20 HU, label 1): slices 2-9, rows and columns 4-15. Box 2 (100 HU, label 2): slices 8-17, rows and columns 22-35. */
    private static int hu(int z, int r, int c) {
        if (z >= 2 && z <= 9 && r >= 4 && r <= 15 && c >= 4 && c <= 15) return -20;
        if (z >= 8 && z <= 17 && r >= 22 && r <= 35 && c >= 22 && c <= 35) return 100;
        return -100;
    }

    @Test
    void eachLabelGetsItsOwnLesionsWithTheirCodes() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        List<Path> files = new ArrayList<>();
        Path data = Files.createDirectory(dir.resolve("series"));
        for (int z = 0; z < SLICES; z++) {
            SyntheticCt.Slice s = series.slice(z);
            s.rows = SIZE;
            s.columns = SIZE;
            s.rawPixels = new short[SIZE * SIZE];
            for (int r = 0; r < SIZE; r++) for (int c = 0; c < SIZE; c++) s.rawPixels[r * SIZE + c] = (short) (hu(z, r, c) + 1024);
            files.add(s.writeTo(data));
        }
        // the two-label softmax model without its target spacing: no partial volume, so the boxes come back exactly
        Path model = Files.copy(TestModels.SOFTMAX_PATCH, dir.resolve("two.onnx"));
        Files.writeString(dir.resolve("two.manifest.json"), Files.readString(new ModelSource.OnnxFile(TestModels.SOFTMAX_PATCH).manifestPath())
                .replaceAll("\"spacing-mm\": \\[[^]]*],?", "").replaceAll(",\\s*}", "}"));
        Volume volume = new SeriesLoader().load(files, series.seriesUid).volumeOrThrow();
        try (Segmenter segmenter = Segmenter.open(ModelConfig.builder().file(model).device(ModelSpec.Device.CPU).build())) {
            assertThat(segmenter.spec().targetSpacing()).isEmpty();

            Analysis a = new SeriesAnalyzer(segmenter, new LesionMeasurer()).analyze(volume);

            assertThat(a.lesions()).hasSize(2);
            assertThat(a.byLabel()).extracting(LabelFindings::value).containsExactly(1, 2);
            assertThat(a.byLabel()).extracting(f -> f.label().name()).containsExactly("Hypodense lesion", "Hyperdense lesion");
            double voxelMm3 = 0.7 * 0.7 * 2.5;
            LabelFindings first = a.byLabel().get(0);
            assertThat(first.lesions()).hasSize(1);
            assertThat(first.lesions().get(0).volumeMm3()).isCloseTo(8 * 12 * 12 * voxelMm3, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(first.lesions().get(0).firstSlice()).isEqualTo(2);
            assertThat(first.lesionLabels().get(9)[4 * SIZE + 4]).isEqualTo((short) first.lesions().get(0).id());
            assertThat(a.lesionMask(9, first.lesions().get(0).id())[4 * SIZE + 4]).isEqualTo((byte) 1);
            LabelFindings second = a.byLabel().get(1);
            assertThat(second.lesions()).hasSize(1);
            assertThat(second.lesions().get(0).volumeMm3()).isCloseTo(10 * 14 * 14 * voxelMm3, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(second.lesionLabels().keySet()).containsExactly(8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
            assertThat(a.timings().preprocess()).isPositive();
            assertThat(a.timings().inference()).isPositive();
            assertThat(a.timings().postprocess()).isPositive();
            assertThat(a.timings().toMillis()).containsOnlyKeys("load", "preprocess", "inference", "postprocess", "write");
        }
    }
}
