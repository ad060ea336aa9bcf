package org.ctai.inference.segment;

import org.ctai.inference.TestModels;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelContract.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resizing and padding to what the model accepts and back keeps the mask where the structure is:
 * the threshold model marks HU >= 0, so the mask must come back as the bright rectangle drawn in.
 */
class LetterboxRoundTripTest {

    private static float[] rectangle(int rows, int columns, int top, int left, int bottom, int right) {
        float[] hu = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                hu[r * columns + c] = r >= top && r <= bottom && c >= left && c <= right ? 200 : -800;
            }
        }
        return hu;
    }

    private static byte[] segment(InputSize.Fixed modelSize, float[] hu, int rows, int columns) {
        ModelConfig.Builder config = ModelConfig.builder().file(TestModels.THRESHOLD)
                .normalization(new Normalization.HuWindow(0, 200));
        if (modelSize != null) config.inputSize(modelSize);
        try (Segmenter segmenter = Segmenter.open(config.build())) {
            return segmenter.segmentSlices(new float[][] {hu}, rows, columns)[0];
        }
    }

    @ParameterizedTest(name = "{0}x{1} slice into a {2}x{3} model")
    @CsvSource({
            "100, 60, 64, 64",    // shrink, taller than wide: padded left and right
            "60, 100, 64, 64",    // shrink, wider than tall: padded top and bottom
            "30, 20, 64, 64",     // enlarge
            "512, 512, 256, 256", // a CT slice into a half-size model
    })
    void fixedModelSizeRoundTripKeepsTheMaskOnTheStructure(int rows, int columns, int modelRows, int modelColumns) {
        int top = rows / 5;
        int left = columns / 4;
        int bottom = rows * 3 / 5;
        int right = columns * 3 / 4;
        float[] hu = rectangle(rows, columns, top, left, bottom, right);

        byte[] mask = segment(new InputSize.Fixed(modelRows, modelColumns), hu, rows, columns);

        assertThat(mask).hasSize(rows * columns);
        // one model pixel covers up to rows/modelRows slice pixels: edges may move by that much
        double tolerance = Math.max(1, Math.ceil(Math.max((double) rows / modelRows, (double) columns / modelColumns)));
        int minRow = Integer.MAX_VALUE, maxRow = -1, minColumn = Integer.MAX_VALUE, maxColumn = -1;
        int agree = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                boolean expected = hu[r * columns + c] > 0;
                boolean marked = mask[r * columns + c] == 1;
                if (expected == marked) agree++;
                if (marked) {
                    minRow = Math.min(minRow, r);
                    maxRow = Math.max(maxRow, r);
                    minColumn = Math.min(minColumn, c);
                    maxColumn = Math.max(maxColumn, c);
                }
            }
        }
        assertThat((double) minRow).isCloseTo(top, org.assertj.core.data.Offset.offset(tolerance));
        assertThat((double) maxRow).isCloseTo(bottom, org.assertj.core.data.Offset.offset(tolerance));
        assertThat((double) minColumn).isCloseTo(left, org.assertj.core.data.Offset.offset(tolerance));
        assertThat((double) maxColumn).isCloseTo(right, org.assertj.core.data.Offset.offset(tolerance));
        // only pixels along the outline may differ, within the tolerance
        int outline = 2 * ((bottom - top + 1) + (right - left + 1));
        assertThat(rows * columns - agree).as("pixels differing from the drawn rectangle").isLessThanOrEqualTo((int) (outline * tolerance));
        System.out.printf("%dx%d into %dx%d: %d of %d outline pixels differ%n", rows, columns, modelRows, modelColumns,
                rows * columns - agree, outline);
    }

    @Test
    void paddingToMultiplesOfEightAndBackIsExact() {
        float[] hu = rectangle(37, 45, 3, 5, 30, 40);

        byte[] mask = segment(null, hu, 37, 45);

        for (int i = 0; i < hu.length; i++) assertThat(mask[i]).isEqualTo((byte) (hu[i] > 0 ? 1 : 0));
    }

    @Test
    void planCentresTheScaledSliceInTheModelInput() {
        Letterbox box = Letterbox.plan(100, 50, new InputSize.Fixed(64, 64));

        assertThat(box.scaledRows()).isEqualTo(64);
        assertThat(box.scaledColumns()).isEqualTo(32);
        assertThat(box.left()).isEqualTo(16);
        assertThat(box.top()).isZero();
        assertThat(Letterbox.plan(37, 45, new InputSize.Dynamic(8)))
                .isEqualTo(new Letterbox(37, 45, 40, 48, 37, 45, 1, 1));
    }
}
