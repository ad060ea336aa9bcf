package org.ctai.inference.segment;

import org.ctai.inference.model.ModelContract.OutputKind;

import java.nio.FloatBuffer;

/**
 * Turns one image of the model's output into a label mask at the model's size: 0 background,
 * {@code k} for the k-th label. Immutable.
 */
final class MaskDecoder {

    private final OutputKind kind;
    private final float cut;

    MaskDecoder(OutputKind kind, double threshold) {
        this.kind = kind;
        // sigmoid(x) >= t  <=>  x >= ln(t / (1 - t))
        this.cut = (float) (kind == OutputKind.LOGITS ? Math.log(threshold / (1 - threshold)) : threshold);
    }

    /**
     * @param output the whole output buffer, {@code [batch, channels, pixels]}
     * @param offset where image {@code i} starts: {@code i * channels * pixels}
     */
    byte[] decode(FloatBuffer output, int offset, int channels, int pixels) {
        byte[] mask = new byte[pixels];
        if (kind != OutputKind.SOFTMAX) {
            for (int p = 0; p < pixels; p++) {
                mask[p] = output.get(offset + p) >= cut ? (byte) 1 : 0;
            }
            return mask;
        }
        for (int p = 0; p < pixels; p++) {
            int best = 0;
            float bestScore = output.get(offset + p);
            for (int c = 1; c < channels; c++) {
                float score = output.get(offset + c * pixels + p);
                if (score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
            mask[p] = (byte) best;
        }
        return mask;
    }
}
