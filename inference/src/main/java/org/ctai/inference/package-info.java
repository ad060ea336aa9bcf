/**
 * Pixels in, masks and measurements out, with no network and no database. This package holds the
 * public face of the first two steps: {@link org.ctai.inference.SeriesLoader} reads one CT series
 * with PixelMed into a {@link org.ctai.inference.Volume} (geometry and per-slice metadata, pixels
 * read lazily as HU, refusals as {@link org.ctai.inference.SeriesLoadResult.Refused}), and
 * {@link org.ctai.inference.Segmenter} runs an ONNX model through ONNX Runtime on it, as its
 * {@link org.ctai.inference.ModelSpec} says, into one label mask per slice. Measurements live in
 * {@code measure}, overlay rendering in {@code overlay}, the synthetic phantoms in {@code phantom}.
 * Unchecked exceptions derive from {@link org.ctai.inference.InferenceException}.
 */
package org.ctai.inference;
