package org.ctai.viewer;

/**
 * What the web page asks the running node about itself for {@code /healthz} and {@code /metrics}; the queue
 * depth and job counts come from the database. Implemented by the node (module scp). Called from web worker
 * threads at any time, so implementations must be thread-safe and cheap (no I/O).
 */
public interface NodeStatus {

    /** Whether the segmentation model is loaded and ready to run. */
    boolean modelLoaded();

    /** The execution provider inference runs on: {@code "CPU"} or {@code "CUDA"}; empty when not known yet. */
    String provider();

    /** A fixed status, for tests, benchmarks and a page running without a node. */
    static NodeStatus of(boolean modelLoaded, String provider) {
        return new NodeStatus() {
            @Override
            public boolean modelLoaded() {
                return modelLoaded;
            }

            @Override
            public String provider() {
                return provider;
            }
        };
    }
}
