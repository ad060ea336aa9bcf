package org.ctai.scp.queue;

import java.nio.file.Path;
import java.util.List;

/**
 * The processing step a worker runs for one claimed job: turns the series' spooled instances into a
 * result. Implementations must be thread-safe (one call per worker thread at a time).
 */
public interface SeriesProcessor {

    /** One version of a series, with the spool files of its instances and the AE title that sent it. */
    record SeriesJob(long jobId, long seriesId, String seriesUid, int seriesVersion, String callingAeTitle, List<Path> files) {
        public SeriesJob {
            files = List.copyOf(files);
        }
    }

    /** A DICOM object the job wrote, to be sent to the destinations. */
    record ResultFile(String kind, String sopClassUid, String sopInstanceUid, Path file) { }

    /** A PNG of one CT slice with the lesion contours drawn, for the web page. */
    record OverlayImage(int sliceIndex, String sopInstanceUid, double slicePositionMm, int rows, int columns, Path file) { }

    /**
     * What processing produced.
     *
     * @param resultJson a JSON object stored with the job; with {@code "lesions"} (an array of lesion
     *                   measurements) the lesions also become history rows
     * @param files      DICOM objects written under data.dir for sending, possibly none
     * @param overlays   PNG overlays written under data.dir, possibly none
     */
    record Processed(String resultJson, List<ResultFile> files, List<OverlayImage> overlays) {
        public Processed {
            files = List.copyOf(files);
            overlays = List.copyOf(overlays);
        }

        public Processed(String resultJson, List<ResultFile> files) {
            this(resultJson, files, List.of());
        }
    }

    /** Where a running job is: slices done out of the series' slices. Cheap to call often. */
    @FunctionalInterface
    interface Progress {
        void slices(int done, int total);
    }

    /**
     * @param resultsDir an empty folder under data.dir, this attempt's own, for the objects it writes
     * @param progress   told how far the job is, for the worklist
     * @throws ProcessingException when the series cannot be processed; {@code permanent} says a retry cannot help
     */
    Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException;

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
