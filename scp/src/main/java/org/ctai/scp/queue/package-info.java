/**
 * From stored instances to work: {@link org.ctai.scp.queue.SeriesTracker} decides when a series is complete and
 * queues it in the {@link org.ctai.scp.queue.JobQueue}; {@link org.ctai.scp.queue.Workers} lease jobs and run a
 * {@link org.ctai.scp.queue.SeriesProcessor} on them, then queue their results for sending.
 */
package org.ctai.scp.queue;
