package org.ctai.inference.segment;

import org.ctai.inference.model.ModelContract;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.model.ModelSpecException;
import ai.onnxruntime.OnnxJavaType;

import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelSource;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Binds a model's effective {@link ModelContract} (the operator's keys over the manifest over the model's metadata) to
 * the inputs and outputs the model declares, applying the defaults, into a {@link ModelSpec}. Collects every mismatch
 * before failing, each naming the key and the tensor concerned. Stateless.
 */
final class SpecResolver {

    private SpecResolver() {
    }

    /** Resolves for whichever layout the contract declares (a 2-D slice model without one). */
    static ModelSpec resolve(ModelSource source, ModelConfig config, ModelContract contract, List<TensorSignature> inputs,
                             List<TensorSignature> outputs) {
        return contract.layout().orElse(ModelSpec.DEFAULT_LAYOUT) instanceof ModelContract.InputLayout.Patch3d patch
                ? resolvePatch(source, config, contract, patch, inputs, outputs)
                : resolvePlanar(source, config, contract, inputs, outputs);
    }

    /** A 2-D model fed single slices or, {@link ModelContract.InputLayout.Stack25d}, stacks of slices as channels. */
    private static ModelSpec resolvePlanar(ModelSource source, ModelConfig config, ModelContract contract, List<TensorSignature> inputs,
                                           List<TensorSignature> outputs) {
        ModelContract.InputLayout layout = contract.layout().orElse(ModelSpec.DEFAULT_LAYOUT);
        List<String> problems = new ArrayList<>();
        TensorSignature input = chooseInput(config, inputs, problems);
        InputSize inputSize = null;
        int batchSize = config.batchSize().orElse(ModelSpec.DEFAULT_BATCH_SIZE);
        if (input != null) {
            inputSize = checkInput(contract, input, layout, problems);
            if (input.rank() == 4 && input.fixed(0)) {
                long fixedBatch = input.shape()[0];
                if (config.batchSize().isPresent() && config.batchSize().getAsInt() != fixedBatch) {
                    problems.add("model.batch-size " + config.batchSize().getAsInt() + " does not match the fixed batch dimension "
                            + fixedBatch + " of input " + input);
                }
                batchSize = (int) fixedBatch;
            }
        }
        OutputKind kind = contract.output().orElse(ModelSpec.DEFAULT_OUTPUT);
        List<SegmentLabel> labels = contract.labels().orElse(null);
        TensorSignature output = outputs.isEmpty() ? null : outputs.get(0);
        if (output == null) {
            problems.add("the model declares no output");
        } else {
            labels = checkOutput(kind, labels, input, output, problems);
        }
        if (contract.normalization().isEmpty()) {
            problems.add("model.normalization is not set (window or minmax) and the model carries no manifest and no ctai.normalization metadata");
        }
        if (!problems.isEmpty()) throw new ModelSpecException("model " + source.description() + " does not fit its specification", problems);
        return spec(source, config, contract, labels, input.name(), inputSize, output.name(), batchSize, "specification");
    }

    /** A {@link ModelContract.InputLayout.Patch3d} model: input and output {@code [1, c, slices, rows, columns]}. */
    private static ModelSpec resolvePatch(ModelSource source, ModelConfig config, ModelContract contract, ModelContract.InputLayout.Patch3d patch,
                                          List<TensorSignature> inputs, List<TensorSignature> outputs) {
        List<String> problems = new ArrayList<>();
        TensorSignature input = chooseInput(config, inputs, problems);
        long[] patchShape = {1, 1, patch.slices(), patch.rows(), patch.columns()};
        if (input != null) {
            if (input.type() != OnnxJavaType.FLOAT) problems.add("input " + input + " is not float32; the node feeds float32");
            if (input.rank() != 5) {
                problems.add("input " + input + " has " + input.rank() + " dimensions; input.layout patch-3d needs 5 [1,1,slices,rows,columns]");
            } else if (!fits(input, patchShape, 0)) {
                problems.add("input.patch-size [" + patch.slices() + ", " + patch.rows() + ", " + patch.columns()
                        + "] (with batch 1 and 1 channel) does not fit input " + input);
            }
        }
        if (config.batchSize().isPresent() && config.batchSize().getAsInt() != 1) {
            problems.add("model.batch-size " + config.batchSize().getAsInt() + ": patch-3d models run one patch at a time (batch 1)");
        }
        if (contract.inputSize().isPresent()) problems.add("model.input-size applies to 2-D models; a patch-3d model takes input.patch-size");
        OutputKind kind = contract.output().orElse(ModelSpec.DEFAULT_OUTPUT);
        List<SegmentLabel> labels = contract.labels().orElse(List.of(SegmentLabel.NEOPLASM));
        TensorSignature output = outputs.isEmpty() ? null : outputs.get(0);
        int channels = kind == OutputKind.SOFTMAX ? labels.size() + 1 : labels.size();
        if (output == null) {
            problems.add("the model declares no output");
        } else if (output.type() != OnnxJavaType.FLOAT) {
            problems.add("output " + output + " is not float32");
        } else if (output.rank() != 5) {
            problems.add("output " + output + " has " + output.rank() + " dimensions; patch-3d needs 5 [1,channels,slices,rows,columns]");
        } else if (output.fixed(1) && output.shape()[1] != channels) {
            problems.add("labels name " + labels.size() + " label(s), so output " + kind.key() + " needs " + channels + " channel(s)"
                    + (kind == OutputKind.SOFTMAX ? " (background + " + labels.size() + ")" : "") + ", output " + output + " has " + output.shape()[1]);
        } else if (!fits(output, new long[] {1, channels, patch.slices(), patch.rows(), patch.columns()}, 2)) {
            problems.add("output " + output + " is not the patch size [" + patch.slices() + ", " + patch.rows() + ", " + patch.columns() + "]");
        }
        if (contract.normalization().isEmpty()) {
            problems.add("normalization is not set in the manifest or by model.normalization");
        } else if (contract.normalization().get() instanceof ModelContract.Normalization.MinMax) {
            problems.add("model.normalization minmax (with its crop box) applies to 2-D models; use window, z-score or percentile for patch-3d");
        }
        if (!problems.isEmpty()) throw new ModelSpecException("model " + source.description() + " does not fit its manifest", problems);
        return spec(source, config, contract, labels, input.name(), new InputSize.Fixed(patch.rows(), patch.columns()), output.name(), 1, "manifest");
    }

    private static ModelSpec spec(ModelSource source, ModelConfig config, ModelContract contract, List<SegmentLabel> labels, String inputName,
                                  InputSize inputSize, String outputName, int batchSize, String against) {
        try {
            return new ModelSpec(source, ModelContract.builder().labels(labels).build().over(contract), inputName, inputSize, outputName,
                    batchSize, config.device(), config.threads().orElse(0));
        } catch (ModelSpecException e) {
            throw new ModelSpecException("model " + source.description() + " does not fit its " + against, e.problems());
        }
    }

    /** Every fixed dimension of {@code t} from {@code from} on equals {@code shape}'s. */
    private static boolean fits(TensorSignature t, long[] shape, int from) {
        for (int d = from; d < shape.length; d++) if (t.fixed(d) && t.shape()[d] != shape[d]) return false;
        return true;
    }

    private static TensorSignature chooseInput(ModelConfig config, List<TensorSignature> inputs, List<String> problems) {
        if (config.inputName().isPresent()) {
            String wanted = config.inputName().get();
            for (TensorSignature t : inputs) if (t.name().equals(wanted)) return t;
            problems.add("model.input-name '" + wanted + "' is not an input of the model; its inputs: " + describe(inputs));
            return null;
        }
        if (inputs.size() == 1) return inputs.get(0);
        problems.add("the model has " + inputs.size() + " inputs (" + describe(inputs) + "); set model.input-name");
        return null;
    }

    private static InputSize checkInput(ModelContract contract, TensorSignature input, ModelContract.InputLayout layout, List<String> problems) {
        int channels = layout instanceof ModelContract.InputLayout.Stack25d stack ? stack.slices() : 1;
        if (input.type() != OnnxJavaType.FLOAT) {
            problems.add("input " + input + " is not float32; the node feeds float32");
        }
        if (input.rank() != 4) {
            problems.add("input " + input + " has " + input.rank() + " dimensions; layout NCHW needs 4 [batch,1,rows,columns]");
            return null;
        }
        if (input.fixed(1) && input.shape()[1] != channels) {
            problems.add(channels == 1 ? "input " + input + " has " + input.shape()[1] + " channels; the node feeds 1 (CT in HU)"
                    : "input.stack-slices " + channels + " does not match the " + input.shape()[1] + " channels of input " + input);
        }
        boolean rowsFixed = input.fixed(2);
        boolean columnsFixed = input.fixed(3);
        if (rowsFixed && columnsFixed) {
            InputSize.Fixed modelSize = new InputSize.Fixed((int) input.shape()[2], (int) input.shape()[3]);
            contract.inputSize().filter(s -> !s.equals(modelSize)).ifPresent(s -> problems.add(
                    "model.input-size " + s + " does not match the fixed size " + modelSize + " of input " + input));
            return modelSize;
        }
        if (rowsFixed != columnsFixed) {
            problems.add("input " + input + " fixes one of rows and columns but not the other; not supported");
            return null;
        }
        int multiple = contract.sizeMultiple().orElse(ModelSpec.DEFAULT_SIZE_MULTIPLE);
        if (contract.inputSize().isPresent()) {
            InputSize.Fixed size = contract.inputSize().get();
            if (size.rows() % multiple != 0 || size.columns() % multiple != 0) {
                problems.add("model.input-size " + size + " is not a multiple of " + multiple + " (model.size-multiple) in both dimensions");
            }
            return size;
        }
        return new InputSize.Dynamic(multiple);
    }

    private static List<SegmentLabel> checkOutput(OutputKind kind, List<SegmentLabel> labels, TensorSignature input,
                                                  TensorSignature output, List<String> problems) {
        if (output.type() != OnnxJavaType.FLOAT) {
            problems.add("output " + output + " is not float32");
        }
        if (output.rank() != 3 && output.rank() != 4) {
            problems.add("output " + output + " has " + output.rank() + " dimensions; expected [batch,channels,rows,columns] or [batch,rows,columns]");
            return labels;
        }
        long channels = output.rank() == 3 ? 1 : output.shape()[1];
        if (kind == OutputKind.SOFTMAX) {
            if (output.rank() == 3) {
                problems.add("model.output softmax needs a channel dimension, output " + output + " has none");
            } else if (channels > 0 && channels < 2) {
                problems.add("model.output softmax needs 2 or more channels, output " + output + " has " + channels);
            } else if (labels == null && channels == 2) {
                labels = List.of(SegmentLabel.NEOPLASM);
            } else if (labels == null) {
                problems.add("output " + output + " has " + (channels > 0 ? channels : "a dynamic number of") + " channels; model.labels must name one label per channel after the background");
            } else if (channels > 0 && labels.size() != channels - 1) {
                problems.add("model.labels names " + labels.size() + " labels but output " + output + " has " + channels
                        + " channels (background + " + (channels - 1) + ")");
            }
        } else {
            if (channels > 1) {
                problems.add("model.output " + kind.key() + " needs 1 channel, output " + output + " has " + channels
                        + " (use softmax for one channel per class)");
            }
            if (labels == null) labels = List.of(SegmentLabel.NEOPLASM);
        }
        if (input != null && input.rank() == 4) {
            int rowAxis = output.rank() - 2;
            for (int d = 0; d < 2; d++) {
                long in = input.shape()[2 + d];
                long out = output.shape()[rowAxis + d];
                if (in > 0 && out > 0 && in != out) {
                    problems.add("output " + output + " is not the size of input " + input + "; masks must match the input pixels");
                    break;
                }
            }
        }
        return labels;
    }

    private static String describe(List<TensorSignature> tensors) {
        return tensors.stream().map(TensorSignature::toString).collect(Collectors.joining(", "));
    }
}
