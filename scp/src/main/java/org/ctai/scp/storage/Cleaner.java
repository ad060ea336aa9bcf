package org.ctai.scp.storage;

import org.ctai.scp.config.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.ctai.viewer.JobState;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the spooled CT instances and written results of series whose results were delivered more than
 * {@code retention.days} ago. Never touches a series that is receiving, queued or running, nor one with a
 * failed or dead job or an unsent delivery; history rows and measurements stay. The files of a series that produced
 * no result (no pipeline took it, it lay outside its model's domain, or another series of its study was chosen) go
 * sooner, {@code retention.unprocessed-minutes} after that was decided, checked every minute. Thread-safe.
 */
public final class Cleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);
    /** How often the files of series without a result are looked for, so they go within minutes of their time. */
    private static final Duration UNPROCESSED_CHECK = Duration.ofMinutes(1);

    private final DataSource db;
    private final NodeConfig.Retention config;
    private final Path dataDir;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retention-cleaner");
        t.setDaemon(true);
        return t;
    });

    public Cleaner(DataSource db, NodeConfig.Retention config, Path dataDir) {
        this.db = db;
        this.config = config;
        this.dataDir = dataDir;
    }

    public void start() {
        long every = Math.max(config.checkInterval().toMillis(), 100);
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = purgeExpired();
                if (n > 0) log.info("retention: deleted the files of {} series delivered more than {} ago", n, config.keep());
            } catch (Throwable t) {
                // scheduleWithFixedDelay cancels every later run after an exception; keep cleaning
                log.error("retention cleaner failed; retrying at the next check: {}", t.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        long often = Math.min(every, UNPROCESSED_CHECK.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = purgeUnprocessed();
                if (n > 0) log.info("retention: deleted the files of {} series that produced no result", n);
            } catch (Throwable t) {
                log.error("retention cleaner failed on unprocessed series; retrying at the next check: {}", t.toString());
            }
        }, often, often, TimeUnit.MILLISECONDS);
    }

    /**
     * Purges every series whose files were marked for discarding (ignored, skipped, not chosen) and whose time has come,
     * as long as no job of it still produces or produced a result.
     *
     * @return how many series were purged
     */
    public int purgeUnprocessed() throws SQLException {
        String withoutResult = "'" + String.join("', '", JobState.words(JobState::withoutResult)) + "'";
        int purged = 0;
        while (purgeOne("""
                SELECT s.id FROM scp.series s
                WHERE s.state = 'queued' AND s.purged_at IS NULL AND s.discard_after < now()
                  AND NOT EXISTS (SELECT 1 FROM scp.job j WHERE j.series_id = s.id AND j.state NOT IN (%s))
                LIMIT 1 FOR UPDATE OF s SKIP LOCKED""".formatted(withoutResult), ps -> { })) {
            purged++;
        }
        return purged;
    }

    /** @return how many series were purged */
    int purgeExpired() throws SQLException {
        int purged = 0;
        while (purgeOne("""
                SELECT s.id FROM scp.series s
                WHERE s.state = 'queued' AND s.purged_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM scp.job j WHERE j.series_id = s.id AND j.state <> 'done')
                  AND EXISTS (SELECT 1 FROM scp.job j WHERE j.series_id = s.id)
                  AND NOT EXISTS (SELECT 1 FROM scp.outbox o JOIN scp.job j ON j.id = o.job_id
                                  WHERE j.series_id = s.id AND o.state <> 'sent')
                  AND (SELECT max(greatest(j.inferred_at, (SELECT max(o.sent_at) FROM scp.outbox o WHERE o.job_id = j.id)))
                       FROM scp.job j WHERE j.series_id = s.id) < now() - make_interval(secs => ?)
                LIMIT 1 FOR UPDATE OF s SKIP LOCKED""", ps -> ps.setDouble(1, config.keep().toMillis() / 1000.0))) {
            purged++;
        }
        return purged;
    }

    /**
     * {@code ./ctai purge JOB}: deletes the files of a failed or dead job's series (spooled CT and any written
     * results), which retention never touches; the history stays.
     *
     * @return false if the job is not failed or dead (or its series is still receiving or already purged)
     */
    public boolean purgeFailedJob(long jobId) throws SQLException {
        return purgeOne("""
                SELECT s.id FROM scp.series s JOIN scp.job j ON j.series_id = s.id
                WHERE j.id = ? AND j.state IN ('failed', 'dead') AND s.state = 'queued' AND s.purged_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM scp.job r WHERE r.series_id = s.id AND r.state IN ('queued', 'running'))
                FOR UPDATE OF s SKIP LOCKED""", ps -> ps.setLong(1, jobId));
    }

    private interface Parameters {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Purges the one series the query selects; false when it selects none. */
    private boolean purgeOne(String select, Parameters parameters) throws SQLException {
        List<Path> files = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            Long seriesId = null;
            try (PreparedStatement ps = c.prepareStatement(select)) {
                parameters.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) seriesId = rs.getLong(1);
                }
            }
            if (seriesId == null) {
                c.rollback();
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM scp.instance WHERE series_id = ? RETURNING path")) {
                ps.setLong(1, seriesId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) files.add(dataDir.resolve(rs.getString(1)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.result_object SET purged_at = now()
                    WHERE purged_at IS NULL AND job_id IN (SELECT id FROM scp.job WHERE series_id = ?) RETURNING path""")) {
                ps.setLong(1, seriesId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) files.add(dataDir.resolve(rs.getString(1)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE scp.series SET purged_at = now() WHERE id = ?")) {
                ps.setLong(1, seriesId);
                ps.executeUpdate();
            }
            c.commit();
        }
        // files go after the commit: a crash in between leaves files without rows, never rows without files
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                log.warn("retention: cannot delete {}: {}", f, e.toString());
            }
        }
        return true;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
