package org.ctai.scp.queue;

import java.util.List;

/**
 * What other parts of the node do around a job, told by the {@link Workers} (for one, fetching the patient's priors
 * once a study was processed, and keeping a prior's results at home). Implementations are thread-safe, return
 * quickly and never throw: they run on a worker's thread.
 */
public interface JobHooks {
    /** Where the results of a series go, given the destinations configured for it. */
    default List<String> destinations(long seriesId, List<String> configured) {
        return configured;
    }

    /** After the job of a series completed and its results were committed. */
    default void completed(long seriesId) {
    }
}
