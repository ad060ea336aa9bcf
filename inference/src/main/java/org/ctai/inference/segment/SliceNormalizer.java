package org.ctai.inference.segment;

import org.ctai.inference.InferenceException;
import org.ctai.inference.model.ModelContract.CropBox;
import org.ctai.inference.model.ModelContract.Normalization;

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
        if (normalization instanceof Normalization.ZScore z) {
            double low = z.clip().map(c -> c.low()).orElse(Double.NEGATIVE_INFINITY);
            double high = z.clip().map(c -> c.high()).orElse(Double.POSITIVE_INFINITY);
            for (int i = 0; i < hu.length; i++) out[i] = (float) ((Math.min(high, Math.max(low, hu[i])) - z.mean()) / z.std());
            return out;
        }
        if (normalization instanceof Normalization.PercentileClip p) {
            HuPercentiles percentiles = new HuPercentiles();
            percentiles.add(hu);
            scale(hu, out, percentiles.at(p.lowPercent()), percentiles.at(p.highPercent()));
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

    /** {@code clamp((hu - low) / (high - low), 0, 1)}; all 0 when {@code high <= low}. */
    static void scale(float[] hu, float[] out, double low, double high) {
        double range = high - low;
        for (int i = 0; i < hu.length; i++) out[i] = range > 0 ? (float) Math.min(1.0, Math.max(0.0, (hu[i] - low) / range)) : 0f;
    }

    /** Percentiles of HU to 1 HU, from a histogram of rounded values (16-bit range). Not thread-safe. */
    static final class HuPercentiles {
        private static final int OFFSET = 32768;
        private final long[] counts = new long[65536];
        private long total;

        void add(float[] hu) {
            for (float v : hu) counts[(int) Math.max(0, Math.min(65535, Math.round(v) + OFFSET))]++;
            total += hu.length;
        }

        /** The smallest HU with at least {@code percent}% of the values at or below it. */
        double at(double percent) {
            long wanted = Math.max(1, (long) Math.ceil(percent / 100 * total));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= wanted) return i - OFFSET;
            }
            return counts.length - 1 - OFFSET;
        }
    }
}
