package org.ctai.inference.segment;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;
import java.util.Locale;

/** A model input or output as the model file declares it; {@code -1} marks a dynamic dimension. */
record TensorSignature(String name, OnnxJavaType type, long[] shape) {

    static TensorSignature of(NodeInfo node) {
        if (node.getInfo() instanceof TensorInfo t) {
            return new TensorSignature(node.getName(), t.type, t.getShape());
        }
        return new TensorSignature(node.getName(), OnnxJavaType.UNKNOWN, new long[0]);
    }

    int rank() {
        return shape.length;
    }

    boolean fixed(int dimension) {
        return shape[dimension] > 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("'").append(name).append("' ").append(type.name().toLowerCase(Locale.ROOT)).append('[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) s.append(',');
            s.append(shape[i] > 0 ? Long.toString(shape[i]) : "?");
        }
        return s.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSignature t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
