package org.ctai.inference;

import java.time.Duration;

/** Adds up the nanoseconds of the analysis stages of one series. For one thread. */
public final class StageTimer {

    public enum Stage { PREPROCESS, INFERENCE, POSTPROCESS }

    private final long[] nanos = new long[Stage.values().length];
    private Stage current;
    private long since;

    /** Ends the running stage, if any, and starts {@code stage}. */
    public void start(Stage stage) {
        long now = System.nanoTime();
        if (current != null) nanos[current.ordinal()] += now - since;
        current = stage;
        since = now;
    }

    public void stop() {
        if (current != null) nanos[current.ordinal()] += System.nanoTime() - since;
        current = null;
    }

    public StageTimings timings() {
        stop();
        return new StageTimings(Duration.ZERO, Duration.ofNanos(nanos[0]), Duration.ofNanos(nanos[1]), Duration.ofNanos(nanos[2]),
                Duration.ZERO);
    }
}
