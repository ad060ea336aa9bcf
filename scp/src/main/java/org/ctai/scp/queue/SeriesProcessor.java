package org.ctai.scp.queue;

import org.ctai.inference.measure.Lesion;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The processing step a worker runs for one claimed job: turns the series' spooled instances into a
 * result. Implementations must be thread-safe (one call per worker thread at a time).
 */
public interface SeriesProcessor {

    /**
     * One version of a series, with the spool files of its instances, the AE title that sent it and the pipeline the
     * job is for (empty when the node has one processor for every series).
     */
    record SeriesJob(long jobId, long seriesId, String seriesUid, int seriesVersion, String callingAeTitle, List<Path> files,
                     Optional<String> pipeline) {
        public SeriesJob {
            files = List.copyOf(files);
            Objects.requireNonNull(pipeline, "pipeline");
        }

        public SeriesJob(long jobId, long seriesId, String seriesUid, int seriesVersion, String callingAeTitle, List<Path> files) {
            this(jobId, seriesId, seriesUid, seriesVersion, callingAeTitle, files, Optional.empty());
        }
    }

    /** A DICOM object the job wrote, to be sent to the destinations. */
    record ResultFile(String kind, String sopClassUid, String sopInstanceUid, Path file) { }

    /** A PNG of one CT slice with the lesion contours drawn, for the web page. */
    record OverlayImage(int sliceIndex, String sopInstanceUid, double slicePositionMm, int rows, int columns, Path file) { }

    /**
     * What the history keeps of a segmentation in columns and rows rather than in the result's JSON, so that SQL
     * reads typed values and a renamed JSON key cannot silently break the history, the views or the metrics.
     *
     * @param model        the model as the history names it (its file or bundled resource)
     * @param modelVersion {@code sha256:} and a prefix of the model's SHA-256
     * @param provider     the ONNX Runtime execution provider that ran it (CPU, CUDA)
     * @param processing   load + segmentation + measurement time
     * @param lesions      every lesion measured, one history row each
     * @param body         the patient's body along the table (one section per slice), column {@code scp.job.body_profile}:
     *                     the patient page aligns this study with the patient's others by it; empty: none measured
     */
    record Findings(String model, String modelVersion, String provider, Duration processing, List<Lesion> lesions,
                    org.ctai.inference.measure.BodyProfile body) {
        public Findings {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(modelVersion, "modelVersion");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(processing, "processing");
            lesions = List.copyOf(lesions);
        }
    }

    /**
     * What processing produced.
     *
     * @param resultJson a JSON object stored with the job, shown on the study page
     * @param files      DICOM objects written under data.dir for sending, possibly none
     * @param overlays   PNG overlays written under data.dir, possibly none
     * @param findings   a segmentation's model, timings and lesions for the history; empty for other processing
     */
    record Processed(String resultJson, List<ResultFile> files, List<OverlayImage> overlays, Optional<Findings> findings) {
        public Processed {
            files = List.copyOf(files);
            overlays = List.copyOf(overlays);
            Objects.requireNonNull(findings, "findings");
        }

        public Processed(String resultJson, List<ResultFile> files) {
            this(resultJson, files, List.of(), Optional.empty());
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
     * @throws OutsideDomainException when the series lies outside the model's declared domain (the job ends skipped)
     */
    Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException, OutsideDomainException;

    /** Why a series could not be processed, for the history. */
    /**
     * The series lies outside what the pipeline's model was made for (its declared domain): the job ends skipped with
     * {@code reason}, and nothing is written or sent. Never retried.
     */
    final class OutsideDomainException extends Exception {
        public OutsideDomainException(String reason) {
            super(reason);
        }
    }

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
