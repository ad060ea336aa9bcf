package org.ctai.scp.storage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records an outcome that took long to reach (a job's results, a delivery's end) even when the database is away at
 * that moment: the write is tried again every {@link #RETRY} until it goes through or the thread is interrupted (the
 * node stops). Without this the outcome is dropped, the lease runs out after the outage, and the work is done again
 * (a delivery sent twice). The writes it is used for check that this process still holds the lease, so a retry
 * after another process took the work over changes nothing; nor does one after a commit that went through while its
 * answer was lost. Other failures are thrown at once.
 */
public final class Reconnecting {
    private static final Logger log = LoggerFactory.getLogger(Reconnecting.class);
    /** How long to wait between tries while the database is away. */
    static final Duration RETRY = Duration.ofSeconds(1);

    /** A database write. */
    @FunctionalInterface
    public interface Write<T> {
        T run() throws SQLException;
    }

    /** A database write with nothing to return. */
    @FunctionalInterface
    public interface Step {
        void run() throws SQLException;
    }

    private Reconnecting() {
    }

    /** {@link #write} for a write that returns nothing. */
    public static void run(String what, Step step) throws SQLException {
        write(what, () -> {
            step.run();
            return null;
        });
    }

    /**
     * Runs {@code write}, again while the database is away.
     *
     * @param what for the log, e.g. "recording job 12 done"
     * @throws SQLException a failure other than the database being away, or an interruption while waiting for it
     */
    public static <T> T write(String what, Write<T> write) throws SQLException {
        long since = 0;
        while (true) {
            try {
                T result = write.run();
                if (since != 0) log.info("{}: done after the database was away for {} s", what, (System.nanoTime() - since) / 1_000_000_000);
                return result;
            } catch (SQLException e) {
                if (!away(e)) throw e;
                if (since == 0) {
                    since = System.nanoTime();
                    log.warn("{}: the database is away ({}); trying again every {} s until it answers", what, e.getMessage(), RETRY.toSeconds());
                }
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException(what + ": interrupted while the database was away", "08000", e);
            }
        }
    }

    /**
     * Whether the failure says the database cannot be reached (so trying again later may work): no connection from the
     * pool in time, a connection lost or refused (SQLSTATE class 08), the server shutting down or starting (57P01-57P03).
     */
    static boolean away(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().matches("57P0[123]"))) return true;
        }
        return false;
    }
}
