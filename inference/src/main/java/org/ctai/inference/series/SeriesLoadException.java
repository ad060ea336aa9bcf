package org.ctai.inference.series;

import org.ctai.inference.InferenceException;
import java.util.Objects;

/**
 * A series could not be loaded or its pixels could not be read. Thrown by
 * {@link SeriesLoadResult#volumeOrThrow()} for a refused series and by {@link Volume#readSlices}
 * when a file changed or vanished after loading.
 */
public final class SeriesLoadException extends InferenceException {

    private final String seriesInstanceUid;
    private final Refusal refusal;

    public SeriesLoadException(String seriesInstanceUid, Refusal refusal, String message) {
        this(seriesInstanceUid, refusal, message, null);
    }

    public SeriesLoadException(String seriesInstanceUid, Refusal refusal, String message, Throwable cause) {
        super(message, cause);
        this.seriesInstanceUid = Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    /** The series concerned; empty when a file could not be read far enough to know it. */
    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public Refusal refusal() {
        return refusal;
    }
}
