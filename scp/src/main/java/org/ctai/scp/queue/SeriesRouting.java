package org.ctai.scp.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, when a series version is complete, which jobs it becomes: one per pipeline that takes it, or none (the
 * series is recorded as ignored, with the reason). Called by the {@link SeriesTracker} inside the transaction that
 * queues the series. Implementations must be thread-safe.
 */
public interface SeriesRouting {

    /**
     * @param files          the spool files of the version's instances
     * @param callingAeTitle the AE title that sent the series
     * @throws java.io.UncheckedIOException if the files cannot be read (the series then waits for the next sweep)
     */
    Verdict route(List<Path> files, String callingAeTitle);

    /** Every series becomes one job without a pipeline: the node processes whatever arrives (tests, benchmarks). */
    SeriesRouting EVERY_SERIES = (files, callingAe) -> new Verdict.Jobs(List.of(new PipelineJob(Optional.empty(), 50)));

    /** One job to queue: for a pipeline (empty: the node's one processor) at a priority, higher first. */
    record PipelineJob(Optional<String> pipeline, int priority) {
        public PipelineJob {
            Objects.requireNonNull(pipeline, "pipeline");
        }
    }

    /** What a completed series becomes. */
    sealed interface Verdict {
        /** At least one job. */
        record Jobs(List<PipelineJob> jobs) implements Verdict {
            public Jobs {
                if (jobs.isEmpty()) throw new IllegalArgumentException("no job: the series is ignored");
                jobs = List.copyOf(jobs);
            }
        }

        /** No pipeline takes it; {@code reason} says why, per pipeline. */
        record Ignored(String reason) implements Verdict {
            public Ignored {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
