package org.ctai.scp.queue;

import org.ctai.inference.measure.Lesion;
import org.ctai.viewer.JobState;
import org.ctai.scp.send.Outbox;

import org.ctai.scp.config.NodeConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue in PostgreSQL. Jobs are claimed with FOR UPDATE SKIP LOCKED under a lease, so any number
 * of node processes on one database share it; every transition is fenced by the lease owner, so a
 * process whose lease ran out cannot complete a job another process has taken over. Every state change
 * is recorded in {@code job_event} with its reason. Thread-safe.
 */
public final class JobQueue {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    /** The lesion as the history row keeps it in full (the same form as in the job's result). */
    private static final com.fasterxml.jackson.databind.ObjectMapper LESION_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A job this process holds the lease of. */
    record Claim(long jobId, long seriesId, int seriesVersion, int attempt, String owner, java.util.Optional<String> pipeline) { }

    private final DataSource db;
    private final NodeConfig.Worker config;

    /** Subtracted from a prior's job priority: more than the pipelines' range (0..1000), so priors come last. */
    static final int PRIOR_PRIORITY_DROP = 1001;

    public JobQueue(DataSource db, NodeConfig.Worker config) {
        this.db = db;
        this.config = config;
    }

    /**
     * Queues version {@code version} of a series for a pipeline (empty: the node's one processor) inside the caller's
     * transaction; a second call for the same pipeline is a no-op.
     */
    void enqueue(Connection c, long seriesId, int version, Optional<String> pipeline, int priority, String reason) throws SQLException {
        enqueue(c, seriesId, version, new SeriesRouting.PipelineJob(pipeline, priority), reason);
    }

    /**
     * As above; a job of a one-series-per-study pipeline carries its preference and becomes ready only after the
     * study wait, when its siblings have had time to arrive.
     */
    void enqueue(Connection c, long seriesId, int version, SeriesRouting.PipelineJob job, String reason) throws SQLException {
        // a series of a prior fetched from the PACS (scp.prior_fetch, org.ctai.scp.priors) waits behind every new
        // study: its priority drops below the lowest a pipeline can have, keeping the pipelines' order among priors
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.job (series_id, series_version, max_attempts, pipeline, priority, preference, next_attempt_at)
                VALUES (?, ?, ?, ?, ? - CASE WHEN EXISTS (SELECT 1 FROM scp.series s JOIN scp.prior_fetch p ON p.study_uid = s.study_uid
                                                          WHERE s.id = ?) THEN ? ELSE 0 END, ?, now() + make_interval(secs => ?))
                ON CONFLICT (series_id, series_version, coalesce(pipeline, '')) DO NOTHING RETURNING id""")) {
            ps.setLong(1, seriesId);
            ps.setInt(2, version);
            ps.setInt(3, config.maxAttempts());
            ps.setString(4, job.pipeline().orElse(null));
            ps.setInt(5, job.priority());
            ps.setLong(6, seriesId);
            ps.setInt(7, PRIOR_PRIORITY_DROP);
            ps.setObject(8, job.preference().isPresent() ? job.preference().getAsDouble() : null, java.sql.Types.DOUBLE);
            ps.setDouble(9, job.preference().isPresent() ? job.studyWait().toMillis() / 1000.0 : 0);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) event(c, rs.getLong(1), null, JobState.QUEUED.word(), null, reason);
            }
        }
    }

    /** As {@link #enqueue} without a pipeline, for the node's one processor. */
    void enqueue(Connection c, long seriesId, int version, String reason) throws SQLException {
        enqueue(c, seriesId, version, Optional.empty(), 50, reason);
    }

    /**
     * Records that no pipeline takes version {@code version} of a series: a job that ends ignored, with the reason; the
     * series' files may be deleted {@code discardAfter} from now.
     */
    void ignore(Connection c, long seriesId, int version, String reason, Duration discardAfter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.job (series_id, series_version, max_attempts, state, last_error) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (series_id, series_version, coalesce(pipeline, '')) DO NOTHING RETURNING id""")) {
            ps.setLong(1, seriesId);
            ps.setInt(2, version);
            ps.setInt(3, config.maxAttempts());
            ps.setString(4, JobState.IGNORED.word());
            ps.setString(5, reason);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) event(c, rs.getLong(1), null, JobState.IGNORED.word(), null, reason);
            }
        }
        markForDiscard(c, seriesId, discardAfter, false);
    }

    /**
     * When a series that produced no result may lose its files (the cleaner's {@code purgeUnprocessed}); {@code keepEarlier}
     * leaves a deadline already set alone.
     */
    private static void markForDiscard(Connection c, long seriesId, Duration after, boolean keepEarlier) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE scp.series SET discard_after = now() + make_interval(secs => ?) WHERE id = ?"
                + (keepEarlier ? " AND discard_after IS NULL" : ""))) {
            ps.setDouble(1, after.toMillis() / 1000.0);
            ps.setLong(2, seriesId);
            ps.executeUpdate();
        }
    }

    /**
     * Takes the oldest ready job: queued and due, or running under a lease that ran out (its process died).
     * A later version of a series waits until the earlier ones are finished.
     */
    Optional<Claim> claim(String owner) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH next AS (
                        SELECT j.id, j.state AS prev_state, j.lease_owner AS prev_owner FROM scp.job j
                        WHERE ((j.state = 'queued' AND j.next_attempt_at <= now())
                               OR (j.state = 'running' AND j.lease_until < now()))
                          AND NOT EXISTS (SELECT 1 FROM scp.job e WHERE e.series_id = j.series_id
                                          AND e.pipeline IS NOT DISTINCT FROM j.pipeline
                                          AND e.series_version < j.series_version AND e.state IN ('queued', 'running'))
                        ORDER BY j.priority DESC, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
                    UPDATE scp.job j SET state = 'running', attempts = j.attempts + 1, lease_owner = ?,
                        lease_until = now() + make_interval(secs => ?), updated_at = now()
                    FROM next WHERE j.id = next.id
                    RETURNING j.id, j.series_id, j.series_version, j.attempts, j.max_attempts, next.prev_state, next.prev_owner, j.pipeline""")) {
                ps.setString(1, owner);
                ps.setDouble(2, config.lease().toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return Optional.empty();
                    }
                    var claim = new Claim(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), owner,
                            Optional.ofNullable(rs.getString(8)));
                    int max = rs.getInt(5);
                    boolean reclaimed = "running".equals(rs.getString(6));
                    String reason = reclaimed ? "lease of " + rs.getString(7) + " ran out; taken over" : "claimed";
                    if (reclaimed && claim.attempt() > max) {
                        // a job whose process keeps dying must not take the node down forever
                        setState(c, claim.jobId(), "dead", "running", owner, "lease ran out on attempt " + (claim.attempt() - 1) + " of " + max);
                        c.commit();
                        log.error("job {} dead: its process died {} times while running it", claim.jobId(), max);
                        return claim(owner);
                    }
                    event(c, claim.jobId(), rs.getString(6), "running", owner, reason + ", attempt " + claim.attempt());
                    c.commit();
                    return Optional.of(claim);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Records how far a running job is, for the worklist; only while this process holds it. */
    void progress(Claim claim, int done, int total) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE scp.job SET slices_done = ?, slices_total = ? WHERE id = ? AND lease_owner = ? AND state = 'running'")) {
            ps.setInt(1, done);
            ps.setInt(2, total);
            ps.setLong(3, claim.jobId());
            ps.setString(4, claim.owner());
            ps.executeUpdate();
        }
    }

    /** Extends the lease; false if this process no longer holds the job. */
    boolean renew(Claim claim) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE scp.job SET lease_until = now() + make_interval(secs => ?)
                     WHERE id = ? AND lease_owner = ? AND state = 'running'""")) {
            ps.setDouble(1, config.lease().toMillis() / 1000.0);
            ps.setLong(2, claim.jobId());
            ps.setString(3, claim.owner());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The profile's sections as six parallel arrays from {@code first} on, which the UPDATE zips into
     * {@code scp.body_section[]} (NULL for an empty profile: none measured).
     */
    private static void setBodyProfile(Connection c, PreparedStatement ps, int first, org.ctai.inference.measure.BodyProfile body)
            throws SQLException {
        List<org.ctai.inference.measure.BodyProfile.Section> sections = body.sections();
        int n = sections.size();
        Integer[] slice = new Integer[n];
        Double[][] values = new Double[5][n];
        for (int i = 0; i < n; i++) {
            var s = sections.get(i);
            slice[i] = s.slice();
            values[0][i] = s.zMm();
            values[1][i] = s.areaMm2();
            values[2][i] = s.xMm();
            values[3][i] = s.yMm();
            values[4][i] = s.meanHu();
        }
        ps.setArray(first, c.createArrayOf("integer", slice));
        for (int k = 0; k < 5; k++) ps.setArray(first + 1 + k, c.createArrayOf("float8", values[k]));
    }

    /**
     * Marks the job done with its result, and in the same transaction records its lesions, its DICOM objects
     * and one outbox delivery per destination, so nothing is lost between processing and sending.
     *
     * @param dataDir      the objects' paths are stored relative to it
     * @param destinations where the objects go; ignored when there are none
     * @return false (nothing written) if this process lost the lease meanwhile
     */
    boolean complete(Claim claim, SeriesProcessor.Processed processed, java.nio.file.Path dataDir,
                     java.util.List<String> destinations) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            Optional<SeriesProcessor.Findings> findings = processed.findings();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.job SET state = 'done', result = ?::jsonb, last_error = NULL, lease_owner = NULL,
                        lease_until = NULL, updated_at = now(), inferred_at = now(), model = ?, model_version = ?, provider = ?,
                        processing_seconds = ?, body_profile = (
                            SELECT array_agg(ROW(u.slice, u.z, u.area, u.x, u.y, u.hu)::scp.body_section ORDER BY u.n)
                            FROM unnest(?::integer[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[])
                                 WITH ORDINALITY AS u(slice, z, area, x, y, hu, n))
                    WHERE id = ? AND lease_owner = ? AND state = 'running'""")) {
                ps.setString(1, processed.resultJson());
                ps.setString(2, findings.map(SeriesProcessor.Findings::model).orElse(null));
                ps.setString(3, findings.map(SeriesProcessor.Findings::modelVersion).orElse(null));
                ps.setString(4, findings.map(SeriesProcessor.Findings::provider).orElse(null));
                ps.setObject(5, findings.map(f -> f.processing().toNanos() / 1e9).orElse(null), java.sql.Types.DOUBLE);
                setBodyProfile(c, ps, 6, findings.map(SeriesProcessor.Findings::body).orElse(org.ctai.inference.measure.BodyProfile.empty()));
                ps.setLong(12, claim.jobId());
                ps.setString(13, claim.owner());
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return false;
                }
            }
            if (findings.isPresent() && !findings.get().lesions().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO scp.lesion (job_id, lesion_id, volume_mm3, largest_area_mm2, largest_area_slice, longest_diameter_mm,
                                                mean_hu, centroid_x_mm, centroid_y_mm, centroid_z_mm, measurements)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
                    for (Lesion l : findings.get().lesions()) {
                        ps.setLong(1, claim.jobId());
                        ps.setInt(2, l.id());
                        ps.setDouble(3, l.volumeMm3());
                        ps.setDouble(4, l.largestAreaMm2());
                        ps.setInt(5, l.largestAreaSlice());
                        ps.setDouble(6, l.longestDiameterMm());
                        ps.setDouble(7, l.hu().meanHu());
                        ps.setDouble(8, l.centroidMm().x());
                        ps.setDouble(9, l.centroidMm().y());
                        ps.setDouble(10, l.centroidMm().z());
                        ps.setString(11, LESION_JSON.writeValueAsString(l));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("lesion measurements always serialise", e);
                }
            }
            for (SeriesProcessor.ResultFile f : processed.files()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO scp.result_object (job_id, kind, sop_class_uid, sop_instance_uid, path) VALUES (?, ?, ?, ?, ?)""")) {
                    ps.setLong(1, claim.jobId());
                    ps.setString(2, f.kind());
                    ps.setString(3, f.sopClassUid());
                    ps.setString(4, f.sopInstanceUid());
                    ps.setString(5, dataDir.relativize(f.file()).toString());
                    ps.executeUpdate();
                }
            }
            for (SeriesProcessor.OverlayImage o : processed.overlays()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO scp.overlay_image (job_id, slice_index, sop_instance_uid, slice_position, path, rows, columns)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                    ps.setLong(1, claim.jobId());
                    ps.setInt(2, o.sliceIndex());
                    ps.setString(3, o.sopInstanceUid());
                    ps.setDouble(4, o.slicePositionMm());
                    ps.setString(5, dataDir.relativize(o.file()).toString());
                    ps.setInt(6, o.rows());
                    ps.setInt(7, o.columns());
                    ps.executeUpdate();
                }
            }
            if (!processed.files().isEmpty()) {
                for (String destination : destinations) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO scp.outbox (job_id, destination) VALUES (?, ?) RETURNING id")) {
                        ps.setLong(1, claim.jobId());
                        ps.setString(2, destination);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            Outbox.event(c, rs.getLong(1), "pending", claim.owner(), processed.files().size() + " objects to send");
                        }
                    }
                }
            }
            event(c, claim.jobId(), "running", "done", claim.owner(),
                    "processed; " + processed.files().size() + " objects for " + (processed.files().isEmpty() ? 0 : destinations.size()) + " destinations");
            c.commit();
            return true;
        } 
    }

    /**
     * Records a failed attempt. A permanent failure (the input can never work) ends in {@code failed}; a
     * transient one is retried with exponential backoff until {@code worker.max-attempts}, then {@code dead}.
     */
    void fail(Claim claim, String reason, boolean permanent) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            String to;
            Duration delay = Duration.ZERO;
            if (permanent) to = "failed";
            else if (claim.attempt() >= config.maxAttempts()) to = "dead";
            else {
                to = "queued";
                delay = config.backoffAfter(claim.attempt());
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.job SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
                        next_attempt_at = now() + make_interval(secs => ?), updated_at = now()
                    WHERE id = ? AND lease_owner = ? AND state = 'running'""")) {
                ps.setString(1, to);
                ps.setString(2, reason);
                ps.setDouble(3, delay.toMillis() / 1000.0);
                ps.setLong(4, claim.jobId());
                ps.setString(5, claim.owner());
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return;
                }
                String why = to.equals("queued") ? reason + "; retry in " + delay.toSeconds() + " s" : reason;
                event(c, claim.jobId(), "running", to, claim.owner(), why);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * For a job of a one-series-per-study pipeline: the series of the same study that its pipeline prefers (lower
     * preference, then the earlier job), among the sibling jobs that are not out of the running; empty when this job's
     * series is the preferred one (or the pipeline takes every series).
     */
    Optional<String> preferredSibling(Claim claim) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT s2.series_uid, coalesce(s2.series_description, '') FROM scp.job j
                     JOIN scp.series s ON s.id = j.series_id
                     JOIN scp.series s2 ON s2.study_uid = s.study_uid AND s2.id <> s.id
                     JOIN scp.job j2 ON j2.series_id = s2.id AND j2.pipeline = j.pipeline AND j2.preference IS NOT NULL
                     WHERE j.id = ? AND j.preference IS NOT NULL
                       AND j2.state IN ('queued', 'running', 'done')
                       AND (j2.preference < j.preference OR (j2.preference = j.preference AND j2.id < j.id))
                     ORDER BY j2.preference, j2.id LIMIT 1""")) {
            ps.setLong(1, claim.jobId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                String description = rs.getString(2).isBlank() ? "" : " (" + rs.getString(2) + ")";
                return Optional.of(rs.getString(1) + description);
            }
        }
    }

    /**
     * Ends a running job without a result because its pipeline processes one series per study and prefers another;
     * the series' files may be deleted after {@code discardAfter}.
     */
    void notChosen(Claim claim, String reason, Duration discardAfter) throws SQLException {
        end(claim, JobState.NOT_CHOSEN, reason, discardAfter);
    }

    /**
     * Ends a running job without a result because its series lies outside the pipeline model's domain: nothing is
     * written to the outbox; the series' files may be deleted after {@code ignoredRetention}.
     */
    void skip(Claim claim, String reason, Duration ignoredRetention) throws SQLException {
        end(claim, JobState.SKIPPED, reason, ignoredRetention);
    }

    private void end(Claim claim, JobState state, String reason, Duration ignoredRetention) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.job SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = now()
                    WHERE id = ? AND lease_owner = ? AND state = 'running'""")) {
                ps.setString(1, state.word());
                ps.setString(2, reason);
                ps.setLong(3, claim.jobId());
                ps.setString(4, claim.owner());
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return;
                }
                markForDiscard(c, claim.seriesId(), ignoredRetention, true);
                event(c, claim.jobId(), JobState.RUNNING.word(), state.word(), claim.owner(), reason);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void setState(Connection c, long jobId, String to, String from, String owner, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE scp.job SET state = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = ?""")) {
            ps.setString(1, to);
            ps.setString(2, reason);
            ps.setLong(3, jobId);
            ps.executeUpdate();
        }
        event(c, jobId, from, to, owner, reason);
    }

    private static void event(Connection c, long jobId, String from, String to, String owner, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scp.job_event (job_id, from_state, to_state, owner, reason) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, from);
            ps.setString(3, to);
            ps.setString(4, owner);
            ps.setString(5, reason);
            ps.executeUpdate();
        }
    }
}
