#!/usr/bin/python3
"""Writes the tiny ONNX models that the inference tests run with ONNX Runtime.

Needs only Debian's python3-onnx and python3-numpy (no PyTorch). Deterministic:
the random weights come from a fixed seed, so re-running rewrites identical files.

    /usr/bin/python3 inference/src/test/python/make_test_models.py \
        inference/src/test/resources/org/ctai/inference/models

Models (all float32, layout NCHW, opset 17):
- threshold_dynamic.onnx: input "image" [N,1,H,W] with symbolic N/H/W, a 1x1
  convolution (weight 10, bias -5) and a Sigmoid. After a [0,1] normalisation
  the probability is >= 0.5 exactly where the normalised value is >= 0.5, so a
  test can predict the mask from the HU values alone. Carries the ctai.*
  metadata_props that the node reads as defaults (HU window centre 0, width 200).
- threshold_dynamic_logits.onnx: the same without the Sigmoid, output logits,
  and no metadata.
- softmax_three_class.onnx: input [N,1,H,W], a 1x1 convolution to 3 channels
  (scores 0, 10x-3, 20x-12) and a Softmax over the channels: background for
  x < 0.3, class 1 for 0.3 < x < 0.9, class 2 above 0.9.
- threshold_patch3d.onnx: input "volume" fixed [1,1,8,16,16], a 1x1x1 3-D
  convolution (weight 10, bias -5) and a Sigmoid: the 3-D twin of
  threshold_dynamic. Its manifest threshold_patch3d.manifest.json (written
  here too) declares patch-3d 8x16x16, overlap 0.5, window 0/200, one label.
- softmax_patch3d.onnx: input [1,1,D,H,W] dynamic, a 1x1x1 3-D convolution to
  3 channels (scores 0, 10x-2, 20x-7: background below 0.2, class 1 up to 0.5,
  class 2 above) and a Softmax: two labels. Its manifest
  declares patch-3d 8x16x16, a 2 mm target spacing, window 0/200 and two
  coded labels with finding sites.
- patch_mean3d.onnx: input [1,1,D,H,W] dynamic, output the mean of the whole
  patch in every voxel (ReduceMean, broadcast): the blended score of a voxel is
  then the weighted mean of the means of the patches that cover it, which
  tests the Gaussian blending analytically. Manifest: patch 2x4x16, overlap
  0.5, window 0/200, sigmoid threshold 0.5.
- stack_previous.onnx: input "stack" [N,3,H,W] dynamic (three adjacent slices as
  channels, lowest first), a 1x1 convolution that reads only channel 0 (weights
  10, 0, 0, bias -5) and a Sigmoid: the mask of a slice is the threshold of the
  slice below it. Manifest: stack-2.5d of 3, window 0/200, sigmoid.
- seed_signature.onnx: the seed's signature: static input [1,1,512,512], a small
  U-Net (two levels, max pooling, nearest upsampling, skip concatenation,
  random weights) with the Sigmoid inside, and torch-style auto-generated
  tensor names ("input.1", "onnx::Conv_3", output "41"). A strong identity path
  (12 * (x - 0.5)) is added before the Sigmoid so that the mask follows the
  normalised input: zero input (outside the seed's crop box) gives no mask.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(model, directory, name, metadata=None):
    if metadata:
        onnx.helper.set_model_props(model, metadata)
    model.producer_name = "ctai make_test_models.py"
    onnx.checker.check_model(model)
    path = os.path.join(directory, name)
    onnx.save(model, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def dynamic_input(name):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 1, "height", "width"])


def threshold_model(with_sigmoid):
    weight = numpy_helper.from_array(np.full((1, 1, 1, 1), 10.0, np.float32), "conv.weight")
    bias = numpy_helper.from_array(np.array([-5.0], np.float32), "conv.bias")
    nodes = [helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["logits"], name="conv")]
    output_name = "logits"
    if with_sigmoid:
        nodes.append(helper.make_node("Sigmoid", ["logits"], ["probability"], name="sigmoid"))
        output_name = "probability"
    output = helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", 1, "height", "width"])
    graph = helper.make_graph(nodes, "threshold", [dynamic_input("image")], [output], [weight, bias])
    return helper.make_model(graph, opset_imports=OPSET)


def softmax_model():
    weight = numpy_helper.from_array(np.array([0.0, 10.0, 20.0], np.float32).reshape(3, 1, 1, 1), "conv.weight")
    bias = numpy_helper.from_array(np.array([0.0, -3.0, -12.0], np.float32), "conv.bias")
    nodes = [
        helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["scores"], name="conv"),
        helper.make_node("Softmax", ["scores"], ["classes"], axis=1, name="softmax"),
    ]
    output = helper.make_tensor_value_info("classes", TensorProto.FLOAT, ["batch", 3, "height", "width"])
    graph = helper.make_graph(nodes, "softmax3", [dynamic_input("image")], [output], [weight, bias])
    return helper.make_model(graph, opset_imports=OPSET)


def seed_signature_model():
    rng = np.random.default_rng(20240611)
    inits = []
    counter = [2]

    def auto_name():
        counter[0] += 1
        return str(counter[0])

    def conv(x, cin, cout, nodes):
        w = f"onnx::Conv_{auto_name()}"
        b = f"onnx::Conv_{auto_name()}"
        inits.append(numpy_helper.from_array(
            (rng.standard_normal((cout, cin, 3, 3)) * 0.1).astype(np.float32), w))
        inits.append(numpy_helper.from_array(np.zeros(cout, np.float32), b))
        y = auto_name()
        nodes.append(helper.make_node("Conv", [x, w, b], [y], pads=[1, 1, 1, 1], name=f"/Conv_{y}"))
        r = auto_name()
        nodes.append(helper.make_node("Relu", [y], [r], name=f"/Relu_{r}"))
        return r

    nodes = []
    e1 = conv("input.1", 1, 4, nodes)
    p1 = auto_name()
    nodes.append(helper.make_node("MaxPool", [e1], [p1], kernel_shape=[2, 2], strides=[2, 2], name=f"/MaxPool_{p1}"))
    e2 = conv(p1, 4, 8, nodes)
    scales = "onnx::Resize_scales"
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), scales))
    up = auto_name()
    nodes.append(helper.make_node("Resize", [e2, "", scales], [up], mode="nearest", name=f"/Resize_{up}"))
    cat = auto_name()
    nodes.append(helper.make_node("Concat", [e1, up], [cat], axis=1, name=f"/Concat_{cat}"))
    d1 = conv(cat, 12, 4, nodes)
    head_w = "onnx::Conv_head_w"
    head_b = "onnx::Conv_head_b"
    inits.append(numpy_helper.from_array((rng.standard_normal((1, 4, 1, 1)) * 0.1).astype(np.float32), head_w))
    inits.append(numpy_helper.from_array(np.zeros(1, np.float32), head_b))
    head = auto_name()
    nodes.append(helper.make_node("Conv", [d1, head_w, head_b], [head], name=f"/Conv_{head}"))
    # identity path: 12 * (x - 0.5), so the mask follows the normalised input
    gain = "onnx::Mul_gain"
    half = "onnx::Sub_half"
    inits.append(numpy_helper.from_array(np.array(12.0, np.float32), gain))
    inits.append(numpy_helper.from_array(np.array(0.5, np.float32), half))
    centred = auto_name()
    nodes.append(helper.make_node("Sub", ["input.1", half], [centred], name=f"/Sub_{centred}"))
    scaled = auto_name()
    nodes.append(helper.make_node("Mul", [centred, gain], [scaled], name=f"/Mul_{scaled}"))
    summed = auto_name()
    nodes.append(helper.make_node("Add", [head, scaled], [summed], name=f"/Add_{summed}"))
    nodes.append(helper.make_node("Sigmoid", [summed], ["41"], name="/Sigmoid"))
    graph = helper.make_graph(
        nodes, "torch_jit",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 1, 512, 512])],
        [helper.make_tensor_value_info("41", TensorProto.FLOAT, [1, 1, 512, 512])],
        inits)
    return helper.make_model(graph, opset_imports=OPSET)


def dynamic_volume(name):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 1, "slices", "rows", "columns"])


def threshold_patch3d_model():
    weight = numpy_helper.from_array(np.full((1, 1, 1, 1, 1), 10.0, np.float32), "conv.weight")
    bias = numpy_helper.from_array(np.array([-5.0], np.float32), "conv.bias")
    nodes = [helper.make_node("Conv", ["volume", "conv.weight", "conv.bias"], ["logits"], name="conv"),
             helper.make_node("Sigmoid", ["logits"], ["probability"], name="sigmoid")]
    graph = helper.make_graph(
        nodes, "threshold3d",
        [helper.make_tensor_value_info("volume", TensorProto.FLOAT, [1, 1, 8, 16, 16])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, [1, 1, 8, 16, 16])], [weight, bias])
    return helper.make_model(graph, opset_imports=OPSET)


def softmax_patch3d_model():
    # scores 0, 10x-2, 20x-7: background below 0.2, class 1 up to 0.5, class 2 above, so a ball at 0.4 (class 1)
    # or 1.0 (class 2) in 0 keeps its edge halfway through partial volume
    weight = numpy_helper.from_array(np.array([0.0, 10.0, 20.0], np.float32).reshape(3, 1, 1, 1, 1), "conv.weight")
    bias = numpy_helper.from_array(np.array([0.0, -2.0, -7.0], np.float32), "conv.bias")
    nodes = [helper.make_node("Conv", ["volume", "conv.weight", "conv.bias"], ["scores"], name="conv"),
             helper.make_node("Softmax", ["scores"], ["classes"], axis=1, name="softmax")]
    output = helper.make_tensor_value_info("classes", TensorProto.FLOAT, [1, 3, "slices", "rows", "columns"])
    graph = helper.make_graph(nodes, "softmax3d", [dynamic_volume("volume")], [output], [weight, bias])
    return helper.make_model(graph, opset_imports=OPSET)


def patch_mean3d_model():
    zero = numpy_helper.from_array(np.array(0.0, np.float32), "zero")
    nodes = [helper.make_node("ReduceMean", ["volume"], ["mean"], axes=[2, 3, 4], keepdims=1, name="mean"),
             helper.make_node("Mul", ["volume", "zero"], ["zeros"], name="zeros"),
             helper.make_node("Add", ["zeros", "mean"], ["score"], name="broadcast")]
    output = helper.make_tensor_value_info("score", TensorProto.FLOAT, [1, 1, "slices", "rows", "columns"])
    graph = helper.make_graph(nodes, "patchmean3d", [dynamic_volume("volume")], [output], [zero])
    return helper.make_model(graph, opset_imports=OPSET)


def stack_previous_model():
    weight = numpy_helper.from_array(np.array([10.0, 0.0, 0.0], np.float32).reshape(1, 3, 1, 1), "conv.weight")
    bias = numpy_helper.from_array(np.array([-5.0], np.float32), "conv.bias")
    nodes = [helper.make_node("Conv", ["stack", "conv.weight", "conv.bias"], ["logits"], name="conv"),
             helper.make_node("Sigmoid", ["logits"], ["probability"], name="sigmoid")]
    graph = helper.make_graph(
        nodes, "stackprevious",
        [helper.make_tensor_value_info("stack", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 1, "height", "width"])], [weight, bias])
    return helper.make_model(graph, opset_imports=OPSET)


def save_manifest(directory, name, manifest):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


WINDOW_0_200 = {"method": "window", "center": 0, "width": 200}
NEOPLASM = {"type": "SCT:108369006:Neoplasm"}


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(directory, exist_ok=True)
    save(threshold_model(True), directory, "threshold_dynamic.onnx", {
        "ctai.normalization": "window",
        "ctai.window-center": "0",
        "ctai.window-width": "200",
        "ctai.output": "probability",
        "ctai.threshold": "0.5",
        "ctai.size-multiple": "8",
        "ctai.labels": "SCT:108369006:Neoplasm",
    })
    save(threshold_model(False), directory, "threshold_dynamic_logits.onnx")
    save(softmax_model(), directory, "softmax_three_class.onnx")
    save(seed_signature_model(), directory, "seed_signature.onnx")
    save(threshold_patch3d_model(), directory, "threshold_patch3d.onnx")
    save_manifest(directory, "threshold_patch3d.manifest.json", {
        "manifest-version": 1,
        "input": {"layout": "patch-3d", "patch-size": [8, 16, 16], "overlap": 0.5},
        "normalization": WINDOW_0_200,
        "output": {"kind": "sigmoid", "threshold": 0.5},
        "labels": [NEOPLASM]})
    save(softmax_patch3d_model(), directory, "softmax_patch3d.onnx")
    save_manifest(directory, "softmax_patch3d.manifest.json", {
        "manifest-version": 1,
        "input": {"layout": "patch-3d", "patch-size": [8, 16, 16], "overlap": 0.5, "spacing-mm": [2.0, 2.0, 2.0]},
        "normalization": WINDOW_0_200,
        "output": {"kind": "softmax"},
        "labels": [
            {"name": "Hypodense lesion", "type": "SCT:108369006:Neoplasm", "finding-site": "SCT:10200004:Liver"},
            {"name": "Hyperdense lesion", "type": "SCT:86049000:Malignant neoplasm, primary",
             "finding-site": "SCT:10200004:Liver"}]})
    save(stack_previous_model(), directory, "stack_previous.onnx")
    save_manifest(directory, "stack_previous.manifest.json", {
        "manifest-version": 1,
        "input": {"layout": "stack-2.5d", "stack-slices": 3},
        "normalization": WINDOW_0_200,
        "output": {"kind": "sigmoid", "threshold": 0.5},
        "labels": [NEOPLASM]})
    save(patch_mean3d_model(), directory, "patch_mean3d.onnx")
    save_manifest(directory, "patch_mean3d.manifest.json", {
        "manifest-version": 1,
        "input": {"layout": "patch-3d", "patch-size": [2, 4, 16], "overlap": 0.5},
        "normalization": WINDOW_0_200,
        "output": {"kind": "sigmoid", "threshold": 0.5},
        "labels": [NEOPLASM]})


if __name__ == "__main__":
    main()
