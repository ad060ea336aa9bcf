package org.ctai.scp.receive;

import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * One kind of refused or dropped connection, reported so that a flood cannot fill the log: the first occurrence is a
 * WARN, later ones are counted and reported as one WARN at most once a minute (each also a DEBUG line). Thread-safe.
 */
final class FloodReport {
    /** The least time between two WARN lines. UNIT: nanoseconds. */
    private static final long REPORT_EVERY_NANOS = 60_000_000_000L;

    private final Logger log;
    private long lastReport;
    private boolean reported;
    private int sinceReport;

    FloodReport(Logger log) {
        this.log = log;
    }

    /**
     * One more occurrence.
     *
     * @param first   the WARN for the first occurrence; it should say that later ones are counted
     * @param summary the WARN for the count of occurrences since the last WARN (this one included)
     * @param debug   the DEBUG line for an occurrence not reported as a WARN
     */
    void occurred(Supplier<String> first, IntFunction<String> summary, Supplier<String> debug) {
        long now = System.nanoTime();
        int count;
        boolean isFirst;
        synchronized (this) {
            sinceReport++;
            if (reported && now - lastReport < REPORT_EVERY_NANOS) {
                count = 0;
                isFirst = false;
            } else {
                isFirst = !reported;
                count = sinceReport;
                reported = true;
                lastReport = now;
                sinceReport = 0;
            }
        }
        if (isFirst) log.warn(first.get());
        else if (count > 0) log.warn(summary.apply(count));
        else log.debug(debug.get());
    }
}
