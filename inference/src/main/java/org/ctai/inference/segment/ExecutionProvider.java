package org.ctai.inference.segment;

import java.util.Objects;

/**
 * Which ONNX Runtime execution provider runs a {@link Segmenter}, and why it was chosen (for example
 * "device auto: no NVIDIA GPU visible (/dev/nvidia0 absent)"). Immutable.
 */
public record ExecutionProvider(Kind kind, String reason) {

    public enum Kind { CPU, CUDA }

    public ExecutionProvider {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return kind + " (" + reason + ")";
    }
}
