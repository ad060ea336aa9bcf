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
     * False while the node knows its database cannot answer (its embedded server died and is being restarted, or
     * the configured server does not answer): the health check then says down at once instead of waiting for a
     * connection that cannot come.
     */
    default boolean databaseUp() {
        return true;
    }

    /** Why {@link #databaseUp()} is false, for the health endpoint and the log. */
    default String databaseDownBecause() {
        return "the node cannot reach its database";
    }

    /** This status, with the database's state from {@code databaseUp} and {@code downBecause} (called often: no I/O). */
    default NodeStatus withDatabase(java.util.function.BooleanSupplier databaseUp, java.util.function.Supplier<String> downBecause) {
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

            @Override
            public String databaseDownBecause() {
                return downBecause.get();
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
