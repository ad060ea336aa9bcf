/**
 * Pixels in, masks and measurements out, with no network and no database. This root package holds the
 * orchestration, the module's main face: {@link org.ctai.inference.SeriesAnalyzer} runs a loaded series through the
 * segmenter and the lesion measurer and returns an {@link org.ctai.inference.SeriesAnalyzer.Analysis} with each
 * stage's time ({@link org.ctai.inference.StageTimings}, measured by the {@link org.ctai.inference.StageTimer} it hands
 * the segmenter). Unchecked exceptions derive from {@link org.ctai.inference.InferenceException};
 * {@link org.ctai.inference.OpenCvNatives} loads OpenCV once for every package.
 *
 * <p>The parts, each a package with a small public face and package-private machinery:
 * {@code series} reads a DICOM series into a {@link org.ctai.inference.series.Volume};
 * {@code model} is the model's contract ({@link org.ctai.inference.model.ModelContract}: manifest, metadata and
 * keys, one vocabulary) and where a model comes from ({@link org.ctai.inference.model.ModelSource});
 * {@code segment} runs the model on ONNX Runtime ({@link org.ctai.inference.segment.Segmenter});
 * {@code measure} measures lesions in physical units; {@code overlay} draws contours; {@code phantom} writes the
 * synthetic CT phantoms the default model was trained and is tested on.
 */
package org.ctai.inference;
