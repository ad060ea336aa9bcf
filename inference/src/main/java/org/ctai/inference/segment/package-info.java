/**
 * Running a model: {@link org.ctai.inference.segment.Segmenter} opens the model on ONNX Runtime (CUDA when present
 * and allowed, CPU otherwise: {@link org.ctai.inference.segment.ExecutionProvider} says which and why), binds the
 * effective contract to the model's tensors and segments a {@link org.ctai.inference.series.Volume} into one label
 * mask per slice, by single slices, stacks of slices or 3-D patches as the contract's layout says.
 * {@link org.ctai.inference.segment.SliceNormalizer} and {@link org.ctai.inference.segment.PatchGrid} are public for
 * the benchmark, which feeds a bare ONNX Runtime session exactly what the node feeds.
 *
 * <p>Machinery, package-private: {@code SpecResolver} and {@code TensorSignature} (contract against tensors),
 * {@code SessionFactory}, {@code CudaProvider} and {@code GpuProbe} (the session and its device), {@code Letterbox}
 * (resize and pad to the model's size), {@code MaskDecoder} (scores to labels), {@code Resampling},
 * {@code PatchSegmenter} and {@code SlidingWindow} (the 3-D path with Gaussian blending).
 */
package org.ctai.inference.segment;
