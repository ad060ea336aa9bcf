package org.ctai.scp;

import java.nio.file.Path;
import java.util.List;

/**
 * The processing step a worker runs for one claimed job: turns the series' spooled instances into a
 * result. Implementations must be thread-safe (one call per worker thread at a time).
 */
public interface SeriesProcessor {

    /** One version of a series, with the spool files of its instances. */
    record SeriesJob(long jobId, long seriesId, String seriesUid, int seriesVersion, List<Path> files) {
        public SeriesJob {
            files = List.copyOf(files);
        }
    }

    /**
     * @return the result as a JSON object, stored with the job
     * @throws ProcessingException when the series cannot be processed; {@code permanent} says a retry cannot help
     */
    String process(SeriesJob job) throws ProcessingException;

    /** Why a series could not be processed, for the history. */
    final class ProcessingException extends Exception {
        private final boolean permanent;

        public ProcessingException(String message, boolean permanent, Throwable cause) {
            super(message, cause);
            this.permanent = permanent;
        }

        public boolean permanent() {
            return permanent;
        }
    }
}
