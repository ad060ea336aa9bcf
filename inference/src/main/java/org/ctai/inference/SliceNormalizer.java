package org.ctai.inference;

import org.ctai.inference.ModelSpec.CropBox;
import org.ctai.inference.ModelSpec.Normalization;

/** Turns one slice's HU into the model's input values as the {@link Normalization} says. Stateless. */
public final class SliceNormalizer {

    private SliceNormalizer() {
    }

    /**
     * @throws InferenceException if a crop box does not fit the slice
     */
    public static float[] normalize(Normalization normalization, float[] hu, int rows, int columns, String seriesUid) {
        float[] out = new float[hu.length];
        if (normalization instanceof Normalization.HuWindow window) {
            double low = window.center() - window.width() / 2;
            double width = window.width();
            for (int i = 0; i < hu.length; i++) {
                double x = (hu[i] - low) / width;
                out[i] = (float) Math.min(1.0, Math.max(0.0, x));
            }
            return out;
        }
        CropBox box = ((Normalization.MinMax) normalization).crop()
                .orElse(new CropBox(0, rows - 1, 0, columns - 1));
        if (box.lastRow() >= rows || box.lastColumn() >= columns) {
            throw new InferenceException("series " + seriesUid + ": model.crop " + box + " lies outside its "
                    + rows + "x" + columns + " slices");
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int r = box.firstRow(); r <= box.lastRow(); r++) {
            for (int c = box.firstColumn(); c <= box.lastColumn(); c++) {
                float v = hu[r * columns + c];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        float range = max - min;
        // outside the box stays 0, as the seed pasted the crop into a zero image; a flat box is all 0
        if (range > 0) {
            for (int r = box.firstRow(); r <= box.lastRow(); r++) {
                for (int c = box.firstColumn(); c <= box.lastColumn(); c++) {
                    int i = r * columns + c;
                    out[i] = (hu[i] - min) / range;
                }
            }
        }
        return out;
    }
}
