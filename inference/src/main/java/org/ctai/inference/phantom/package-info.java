/**
 * Synthetic CT phantoms with known ground truth: an abdomen with liver tumours, in memory
 * ({@link org.ctai.inference.phantom.Phantom}) or as DICOM files with PNG truth masks and a JSON
 * summary. They train and test the default model, feed the demo and the benchmarks. Start at
 * {@link org.ctai.inference.phantom.PhantomGenerator} and {@link org.ctai.inference.phantom.PhantomSpec};
 * everything else here is package-private machinery.
 */
package org.ctai.inference.phantom;
