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

    /**
     * False while the node knows its database cannot answer (its embedded server died and is being restarted):
     * the health check then says down at once instead of waiting for a connection that cannot come.
     */
    default boolean databaseUp() {
        return true;
    }

    /** This status, with the database's state from {@code databaseUp} (called often: no I/O). */
    default NodeStatus withDatabase(java.util.function.BooleanSupplier databaseUp) {
        NodeStatus self = this;
        return new NodeStatus() {
            @Override
            public boolean modelLoaded() {
                return self.modelLoaded();
            }

            @Override
            public String provider() {
                return self.provider();
            }

            @Override
            public boolean databaseUp() {
                return databaseUp.getAsBoolean();
            }
        };
    }

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
