/**
 * The contract between the node and a segmentation model, in one type and one vocabulary.
 * {@link org.ctai.inference.model.ModelContract} says what a model is fed (layout, spacing, size), how HU are
 * normalised, how its output reads and which labels it finds. Three layers describe it, each parsed into a
 * {@code ModelContract} and stacked with {@link org.ctai.inference.model.ModelContract#over}: the operator's
 * {@code model.*} keys ({@link org.ctai.inference.model.ModelConfig}, which also names the file and where it runs)
 * over the model's manifest ({@code NAME.manifest.json}, parsed by the package-private {@code ModelManifest}) over
 * the ONNX file's {@code ctai.*} metadata. {@link org.ctai.inference.model.ModelSpec} is the effective contract of a
 * loaded model, with the defaults applied and bound to its tensors. {@link org.ctai.inference.model.ModelSource}
 * (a file or a bundled model) gives a model's bytes, manifest, digest and ONNX Runtime session.
 * Problems are reported together, each naming its key and value, in a
 * {@link org.ctai.inference.model.ModelSpecException}.
 *
 * <p>Adding a manifest field touches {@code ModelContract} (a component and its builder setter) and
 * {@code ModelManifest} (reading it) only.
 */
package org.ctai.inference.model;
