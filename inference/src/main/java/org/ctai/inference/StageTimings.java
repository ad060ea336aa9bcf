package org.ctai.inference;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the time of one series went, stage by stage: {@code load} (reading the series' headers into a
 * {@link Volume}), {@code preprocess} (reading pixels, resampling, normalising, letterboxing or cutting patches),
 * {@code inference} (ONNX Runtime runs), {@code postprocess} (decoding and blending the output, labels back to
 * the original grid, lesions and their measurements) and {@code write} (SEG, SR and overlays). The analysis
 * fills the middle three; the caller that loads and writes adds its two with {@link #withLoad} and
 * {@link #withWrite}. Immutable.
 */
public record StageTimings(Duration load, Duration preprocess, Duration inference, Duration postprocess, Duration write) {

    public static final StageTimings NONE = new StageTimings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public StageTimings {
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(preprocess, "preprocess");
        Objects.requireNonNull(inference, "inference");
        Objects.requireNonNull(postprocess, "postprocess");
        Objects.requireNonNull(write, "write");
    }

    public StageTimings withLoad(Duration load) {
        return new StageTimings(load, preprocess, inference, postprocess, write);
    }

    public StageTimings withWrite(Duration write) {
        return new StageTimings(load, preprocess, inference, postprocess, write);
    }

    public Duration total() {
        return load.plus(preprocess).plus(inference).plus(postprocess).plus(write);
    }

    /** Milliseconds by stage name, in pipeline order: the keys a job record and the page use. */
    public Map<String, Long> toMillis() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("load", load.toMillis());
        m.put("preprocess", preprocess.toMillis());
        m.put("inference", inference.toMillis());
        m.put("postprocess", postprocess.toMillis());
        m.put("write", write.toMillis());
        return m;
    }
}
