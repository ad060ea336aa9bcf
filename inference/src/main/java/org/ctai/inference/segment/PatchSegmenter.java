package org.ctai.inference.segment;

import org.ctai.inference.InferenceException;
import org.ctai.inference.StageTimer;
import org.ctai.inference.model.ModelSpec;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.StageTimer.Stage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The 3-D path: a normalised volume on the model's grid in, one label plane per slice out (0 background, k for
 * the k-th label). Patches of the manifest's size slide over the volume ({@link SlidingWindow#starts}); each
 * model output is weighted by a Gaussian that is 1 at the patch centre and small at its edges, and every voxel's
 * scores are the weighted mean over the patches that cover it, so patch seams do not show. Memory: the
 * accumulators live only for the slices the current row of patches covers (channels + 1 floats per voxel of at
 * most two patch depths of slices); a slice is decoded and its accumulators dropped as soon as no later patch
 * reaches it. Decoding: softmax, the highest channel (0 background); sigmoid or logits, the most probable label
 * whose score reaches the threshold, so overlapping labels resolve to one per voxel.
 *
 * <p>Thread-safe: every call allocates its own buffers and ONNX Runtime sessions run concurrently.
 */
final class PatchSegmenter {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSpec spec;
    private final InputLayout.Patch3d patch;
    private final int channels;
    private final float cut;

    PatchSegmenter(OrtEnvironment env, OrtSession session, ModelSpec spec) {
        this.env = env;
        this.session = session;
        this.spec = spec;
        this.patch = (InputLayout.Patch3d) spec.inputLayout();
        this.channels = spec.outputKind() == OutputKind.SOFTMAX ? spec.labels().size() + 1 : spec.labels().size();
        double t = spec.threshold();
        this.cut = (float) (spec.outputKind() == OutputKind.LOGITS ? Math.log(t / (1 - t)) : t);
    }

    /**
     * @param planes normalised input, one {@code rows * columns} plane per slice of the model's grid
     * @return the label plane of each slice
     */
    byte[][] segment(float[][] planes, int rows, int columns, String seriesUid, StageTimer timer) {
        int slices = planes.length;
        int pz = patch.slices();
        int py = patch.rows();
        int px = patch.columns();
        PatchGrid grid = PatchGrid.tile(slices, rows, columns, patch);
        int[] zs = grid.sliceStarts();
        int[] ys = grid.rowStarts();
        int[] xs = grid.columnStarts();
        float[] gz = SlidingWindow.gaussian(pz);
        float[] gy = SlidingWindow.gaussian(py);
        float[] gx = SlidingWindow.gaussian(px);
        int plane = rows * columns;
        int patchVoxels = pz * py * px;
        float[][] scores = new float[slices][];
        float[][] weights = new float[slices][];
        byte[][] labels = new byte[slices][];
        FloatBuffer input = ByteBuffer.allocateDirect(patchVoxels * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] patchValues = new float[patchVoxels];
        float[] output = new float[channels * patchVoxels];
        int decodedUpTo = 0;
        for (int zi = 0; zi < zs.length; zi++) {
            int z0 = zs[zi];
            for (int y0 : ys) {
                for (int x0 : xs) {
                    timer.start(Stage.PREPROCESS);
                    // outside the volume (a volume smaller than the patch) the input is 0, as nnU-Net pads
                    Arrays.fill(patchValues, 0f);
                    for (int dz = 0; dz < pz && z0 + dz < slices; dz++) {
                        float[] source = planes[z0 + dz];
                        for (int dy = 0; dy < py && y0 + dy < rows; dy++) {
                            int length = Math.min(px, columns - x0);
                            System.arraycopy(source, (y0 + dy) * columns + x0, patchValues, (dz * py + dy) * px, length);
                        }
                    }
                    input.clear();
                    input.put(patchValues).flip();
                    timer.start(Stage.INFERENCE);
                    run(input, output, seriesUid);
                    timer.start(Stage.POSTPROCESS);
                    for (int dz = 0; dz < pz && z0 + dz < slices; dz++) {
                        int z = z0 + dz;
                        if (scores[z] == null) {
                            scores[z] = new float[channels * plane];
                            weights[z] = new float[plane];
                        }
                        float[] s = scores[z];
                        float[] w = weights[z];
                        for (int dy = 0; dy < py && y0 + dy < rows; dy++) {
                            float wzy = gz[dz] * gy[dy];
                            int rowStart = (y0 + dy) * columns + x0;
                            int patchRow = (dz * py + dy) * px;
                            for (int dx = 0; dx < px && x0 + dx < columns; dx++) {
                                float weight = wzy * gx[dx];
                                int voxel = rowStart + dx;
                                w[voxel] += weight;
                                for (int c = 0; c < channels; c++) {
                                    s[c * plane + voxel] += weight * output[c * patchVoxels + patchRow + dx];
                                }
                            }
                        }
                    }
                }
            }
            timer.start(Stage.POSTPROCESS);
            int done = zi + 1 < zs.length ? zs[zi + 1] : slices;
            for (; decodedUpTo < done; decodedUpTo++) {
                labels[decodedUpTo] = decode(scores[decodedUpTo], weights[decodedUpTo], plane);
                scores[decodedUpTo] = null;
                weights[decodedUpTo] = null;
            }
        }
        timer.stop();
        return labels;
    }

    private byte[] decode(float[] scores, float[] weights, int plane) {
        byte[] labels = new byte[plane];
        for (int v = 0; v < plane; v++) {
            if (spec.outputKind() == OutputKind.SOFTMAX) {
                int best = 0;
                for (int c = 1; c < channels; c++) if (scores[c * plane + v] > scores[best * plane + v]) best = c;
                labels[v] = (byte) best;
            } else {
                int best = -1;
                float bestScore = 0;
                for (int c = 0; c < channels; c++) {
                    float score = scores[c * plane + v] / weights[v];
                    if (score >= cut && (best < 0 || score > bestScore)) {
                        best = c;
                        bestScore = score;
                    }
                }
                labels[v] = (byte) (best + 1);
            }
        }
        return labels;
    }

    private void run(FloatBuffer input, float[] output, String seriesUid) {
        long[] shape = {1, 1, patch.slices(), patch.rows(), patch.columns()};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result result = session.run(Map.of(spec.inputName(), tensor), Set.of(spec.outputName()))) {
            OnnxValue value = result.get(0);
            long[] expected = {1, channels, patch.slices(), patch.rows(), patch.columns()};
            if (!(value instanceof OnnxTensor out) || !Arrays.equals(out.getInfo().getShape(), expected)) {
                throw new InferenceException("series " + seriesUid + ": model " + spec.source().description() + " returned output '"
                        + spec.outputName() + "' of shape " + (value instanceof OnnxTensor t ? Arrays.toString(t.getInfo().getShape()) : "(not a tensor)")
                        + " for input " + Arrays.toString(shape) + "; expected " + Arrays.toString(expected));
            }
            out.getFloatBuffer().get(output);
        } catch (OrtException e) {
            throw new InferenceException("series " + seriesUid + ": ONNX Runtime failed on model " + spec.source().description()
                    + " with input " + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }
}
