package org.ctai.inference.model;

import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.model.ModelContract.Spacing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective contract between the node and one loaded model: the {@link ModelContract} with every default
 * applied, bound to the model's own tensors, and where it runs. Built by the segmenter from the configuration
 * ({@link ModelConfig}), the manifest, the model file's metadata and the model's declared inputs and outputs.
 *
 * <p>{@link #inputLayout()} says what is fed, float32: single slices {@code [batch, 1, rows, columns]} (no
 * manifest, or {@code slice-2d}), stacks of adjacent slices {@code [batch, k, rows, columns]} ({@code stack-2.5d}),
 * or 3-D patches {@code [1, 1, slices, rows, columns]} ({@code patch-3d}, resampled to {@link #targetSpacing()}
 * when given). The 2-D output {@code outputName} is {@code [batch, channels, rows, columns]} or
 * {@code [batch, rows, columns]}; the 3-D one {@code [1, channels, slices, rows, columns]}, with one
 * sigmoid or logit channel per label, or softmax channels.
 * A pixel is labelled when its probability is at least {@code threshold} ({@link OutputKind#SIGMOID}),
 * when its logit is at least {@code logit(threshold)} ({@link OutputKind#LOGITS}), or with the channel
 * of highest score ({@link OutputKind#SOFTMAX}, channel 0 background, channel k is {@code labels.get(k-1)};
 * the threshold does not apply). {@code inputSize} is the size fed, resolved from the contract and the tensor.
 * {@code threads} 0 lets ONNX Runtime choose.
 *
 * <p>Immutable. The constructor checks every component and reports all problems at once.
 */
public record ModelSpec(ModelSource source, ModelContract contract, String inputName, InputSize inputSize,
                        String outputName, int batchSize, Device device, int threads) {

    public static final double DEFAULT_THRESHOLD = 0.5;
    /** Batching gives nothing on CPU (measured: 2 cores, 0.5 M parameter U-Net); raise it for CUDA. */
    public static final int DEFAULT_BATCH_SIZE = 1;
    /** A U-Net with three poolings needs rows and columns in multiples of 2^3. */
    public static final int DEFAULT_SIZE_MULTIPLE = 8;
    /** Without a manifest a model is fed single slices, as the node always did. */
    public static final InputLayout DEFAULT_LAYOUT = new InputLayout.Slice2d();
    public static final OutputKind DEFAULT_OUTPUT = OutputKind.SIGMOID;

    public ModelSpec {
        List<String> problems = new ArrayList<>();
        if (source == null) problems.add("model.file: no model source");
        if (contract == null) {
            problems.add("no model contract");
        } else {
            if (contract.normalization().isEmpty()) problems.add("normalization is not set by the manifest, the model's metadata or model.normalization");
            double threshold = contract.threshold().orElse(DEFAULT_THRESHOLD);
            if (!(threshold > 0 && threshold < 1)) problems.add("threshold (output.threshold, model.threshold) must be between 0 and 1 (exclusive), was " + threshold);
            OutputKind kind = contract.output().orElse(DEFAULT_OUTPUT);
            List<SegmentLabel> labels = contract.labels().orElse(List.of());
            if (labels.isEmpty()) {
                problems.add("labels (manifest labels, model.labels) must name at least one label");
            } else if (kind != OutputKind.SOFTMAX && labels.size() != 1 && !(contract.layout().orElse(DEFAULT_LAYOUT) instanceof InputLayout.Patch3d)) {
                problems.add("labels: output " + kind.key() + " of a 2-D model gives one label, " + labels.size() + " given");
            }
        }
        if (inputName == null || inputName.isEmpty()) problems.add("model.input-name must name the input tensor");
        if (inputSize == null) problems.add("no input size resolved (model.input-size, or the model's input tensor)");
        if (outputName == null || outputName.isEmpty()) problems.add("no output tensor named");
        if (batchSize < 1) problems.add("model.batch-size must be at least 1, was " + batchSize);
        if (device == null) problems.add("model.device must be auto, cpu or cuda");
        if (threads < 0) problems.add("model.threads must be 0 (ONNX Runtime chooses) or more, was " + threads);
        if (!problems.isEmpty()) throw new ModelSpecException("model specification", problems);
    }

    /** What one input holds. */
    public InputLayout inputLayout() {
        return contract.layout().orElse(DEFAULT_LAYOUT);
    }

    /** The spacing a patch-3d model was trained at, if it declares one. */
    public Optional<Spacing> targetSpacing() {
        return contract.spacing();
    }

    public Normalization normalization() {
        return contract.normalization().orElseThrow();
    }

    public OutputKind outputKind() {
        return contract.output().orElse(DEFAULT_OUTPUT);
    }

    public double threshold() {
        return contract.threshold().orElse(DEFAULT_THRESHOLD);
    }

    /** At least one; with a 2-D sigmoid or logits model exactly one. */
    public List<SegmentLabel> labels() {
        return contract.labels().orElseThrow();
    }

    public enum Device {
        /** CUDA when an NVIDIA GPU is visible and the CUDA provider starts, CPU otherwise. */
        AUTO,
        CPU,
        /** CUDA or fail. */
        CUDA;

        public static Device parse(String value) {
            return ModelContract.parseEnum(Device.class, value);
        }
    }
}
