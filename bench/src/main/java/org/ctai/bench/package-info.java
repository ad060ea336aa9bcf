/**
 * Benchmarks behind {@code ./ctai bench}: each prints figures side by side with a reference (DCMTK storescp,
 * bare ONNX Runtime, ...). Not part of the node; the node's modules do not depend on this one.
 */
package org.ctai.bench;
