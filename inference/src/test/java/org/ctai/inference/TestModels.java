package org.ctai.inference;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The ONNX models written by src/test/python/make_test_models.py, as files. */
public final class TestModels {

    /** [N,1,H,W] dynamic, sigmoid(10x - 5); metadata: window centre 0 width 200, size multiple 8, Neoplasm. */
    public static final Path THRESHOLD = path("threshold_dynamic.onnx");
    /** The same without the sigmoid: logits, no metadata. */
    public static final Path THRESHOLD_LOGITS = path("threshold_dynamic_logits.onnx");
    /** [N,1,H,W] to 3-channel softmax: background x < 0.3, class 1 up to 0.9, class 2 above. No metadata. */
    public static final Path SOFTMAX = path("softmax_three_class.onnx");
    /** The seed's signature: static [1,1,512,512] 'input.1' to '41', a small random U-Net with sigmoid inside. No metadata. */
    public static final Path SEED_SIGNATURE = path("seed_signature.onnx");

    /** Fixed [1,1,8,16,16] 'volume', sigmoid(10x - 5) per voxel; manifest: patch-3d 8x16x16, overlap 0.5, window 0/200. */
    public static final Path THRESHOLD_PATCH = path("threshold_patch3d.onnx");
    /** Dynamic [1,1,D,H,W] to a 3-channel softmax as SOFTMAX; manifest: patch 8x16x16, 2 mm spacing, window 0/200, two labels. */
    public static final Path SOFTMAX_PATCH = path("softmax_patch3d.onnx");
    /** Dynamic [1,1,D,H,W], every output voxel the patch's mean; manifest: patch 2x4x16, overlap 0.5, window 0/200, sigmoid. */
    public static final Path PATCH_MEAN = path("patch_mean3d.onnx");

    /** [N,3,H,W] dynamic, sigmoid(10 * channel 0 - 5): a slice's mask thresholds the slice below; manifest: stack-2.5d of 3, window 0/200. */
    public static final Path STACK_PREVIOUS = path("stack_previous.onnx");

    private static Path path(String name) {
        try {
            return Path.of(TestModels.class.getResource("/org/ctai/inference/models/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test model " + name + " missing; run src/test/python/make_test_models.py", e);
        }
    }

    private TestModels() {
    }
}
