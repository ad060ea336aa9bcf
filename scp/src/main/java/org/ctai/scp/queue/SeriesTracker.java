package org.ctai.scp.queue;

import org.ctai.scp.config.NodeConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a series is complete, since a PACS never says so: after {@code series.quiet-seconds} with no
 * new instance, or sooner, {@code series.release-grace-seconds} after the association that sent it was
 * released. Completion flips the series row from receiving to queued and, in the same transaction, asks the
 * {@link SeriesRouting} what the version becomes: one job per pipeline that takes it, or an ignored job that records
 * why none does (its files may then be deleted after {@code retention.unprocessed-minutes}). Several node processes on one
 * database queue each version once.
 * Times are the database's clock, shared by all processes. Thread-safe.
 */
public final class SeriesTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeriesTracker.class);
    private static final Duration MAX_SWEEP_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MIN_SWEEP_INTERVAL = Duration.ofMillis(100);

    private final DataSource db;
    private final NodeConfig.Series config;
    private final JobQueue queue;
    private final SeriesRouting routing;
    private final Duration ignoredRetention;
    private final java.nio.file.Path dataDir;
    private final ScheduledExecutorService timer;
    /** Series touched by each open association of this process. */
    private final Map<String, Set<Long>> openAssociations = new ConcurrentHashMap<>();

    /** Every series becomes one job for the node's one processor. */
    public SeriesTracker(DataSource db, NodeConfig.Series config, JobQueue queue) {
        this(db, config, queue, SeriesRouting.EVERY_SERIES, Duration.ofHours(1), java.nio.file.Path.of("."));
    }

    /**
     * @param ignoredRetention how long the files of an ignored series are kept
     * @param dataDir          the spool paths of the instance rows are relative to it
     */
    public SeriesTracker(DataSource db, NodeConfig.Series config, JobQueue queue, SeriesRouting routing, Duration ignoredRetention,
                         java.nio.file.Path dataDir) {
        this.db = db;
        this.config = config;
        this.queue = queue;
        this.routing = routing;
        this.ignoredRetention = ignoredRetention;
        this.dataDir = dataDir;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "series-tracker");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        Duration interval = config.quiet().dividedBy(4);
        if (interval.compareTo(MAX_SWEEP_INTERVAL) > 0) interval = MAX_SWEEP_INTERVAL;
        if (interval.compareTo(MIN_SWEEP_INTERVAL) < 0) interval = MIN_SWEEP_INTERVAL;
        timer.scheduleWithFixedDelay(new QuietSweep(), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void instanceStored(String associationId, long seriesId) {
        openAssociations.computeIfAbsent(associationId, k -> ConcurrentHashMap.newKeySet()).add(seriesId);
    }

    /** The association ended; if it was released normally its series complete after the grace period. */
    public void associationEnded(String associationId, boolean released) {
        Set<Long> series = openAssociations.remove(associationId);
        if (series == null || series.isEmpty() || !released) return;
        long delay = config.releaseGrace().toMillis() + 20;
        timer.schedule(() -> completeAfterRelease(associationId, series), delay, TimeUnit.MILLISECONDS);
    }

    private void completeAfterRelease(String associationId, Set<Long> series) {
        List<Long> ids = new ArrayList<>(series);
        // another association of ours still sending the same series keeps it open
        openAssociations.values().forEach(ids::removeAll);
        if (ids.isEmpty()) return;
        try {
            complete("""
                    UPDATE scp.series SET state = 'queued'
                    WHERE id = ANY (?) AND state = 'receiving' AND last_received_at <= now() - make_interval(secs => ?)
                    RETURNING id, version, series_uid""", ps -> {
                ps.setArray(1, ps.getConnection().createArrayOf("bigint", ids.toArray()));
                ps.setDouble(2, config.releaseGrace().toMillis() / 1000.0);
            }, "series complete: association " + associationId + " released + " + config.releaseGrace().toMillis() + " ms grace");
        } catch (SQLException | RuntimeException e) {
            log.error("completing the series of released association {} failed; the quiet period will complete them: {}",
                    associationId, e.toString());
        }
    }

    /** Queues every series quiet for longer than {@code series.quiet-seconds}. */
    int completeQuietSeries() throws SQLException {
        return complete("""
                UPDATE scp.series SET state = 'queued'
                WHERE state = 'receiving' AND last_received_at < now() - make_interval(secs => ?)
                RETURNING id, version, series_uid""",
                ps -> ps.setDouble(1, config.quiet().toMillis() / 1000.0),
                "series complete: no instance for " + config.quiet().toMillis() / 1000.0 + " s");
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int complete(String sql, Binder binder, String reason) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                record Completed(long seriesId, int version, String seriesUid) { }
                List<Completed> completed = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) completed.add(new Completed(rs.getLong(1), rs.getInt(2), rs.getString(3)));
                    }
                }
                for (Completed s : completed) route(c, s.seriesId(), s.version(), s.seriesUid(), reason);
                c.commit();
                return completed.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void route(Connection c, long seriesId, int version, String seriesUid, String reason) throws SQLException {
        List<java.nio.file.Path> files = new ArrayList<>();
        String callingAe = "";
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT i.path, s.calling_ae FROM scp.instance i JOIN scp.series s ON s.id = i.series_id
                WHERE i.series_id = ? AND i.series_version <= ? ORDER BY i.sop_instance_uid""")) {
            ps.setLong(1, seriesId);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    files.add(dataDir.resolve(rs.getString(1)));
                    callingAe = rs.getString(2) == null ? "" : rs.getString(2);
                }
            }
        }
        SeriesRouting.Verdict verdict = routing.route(files, callingAe);
        if (verdict instanceof SeriesRouting.Verdict.Jobs jobs) {
                for (SeriesRouting.PipelineJob job : jobs.jobs()) {
                    queue.enqueue(c, seriesId, version, job, reason);
                    log.info("series {} version {} queued{} ({})", seriesUid, version,
                            job.pipeline().map(p -> " for pipeline " + p).orElse(""), reason);
                }
        } else if (verdict instanceof SeriesRouting.Verdict.Ignored ignored) {
                queue.ignore(c, seriesId, version, ignored.reason(), ignoredRetention);
                log.info("series {} version {} ignored: {}", seriesUid, version, ignored.reason());
        }
    }

    /** Catches everything: an exception escaping scheduleWithFixedDelay would cancel every later sweep silently. */
    private final class QuietSweep implements Runnable {
        @Override
        public void run() {
            try {
                completeQuietSeries();
            } catch (Throwable t) {
                log.error("quiet-period sweep failed; retrying at the next sweep: {}", t.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
