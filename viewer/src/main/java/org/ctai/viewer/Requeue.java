package org.ctai.viewer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The only writes this module makes to scp's tables: an admin's retry from the worklist.
 *
 * <p>The SQL mirrors scp's own semantics and must follow them when they change: for a failed or dead job,
 * scp's {@code JobQueue} (a job back to {@code queued} with fresh attempts, no lease, a {@code job_event} per
 * transition); for deliveries, scp's {@code Outbox.resend} ({@code ./ctai resend JOB}: dead or waiting
 * deliveries {@code pending} with fresh attempts, an {@code outbox_event} each). Both in one transaction, with
 * owner {@code web:<user>}. Thread-safe.
 */
final class Requeue {
    static final String REASON = "retry requested on the web page";

    /** What a retry changed. */
    record Outcome(boolean jobRequeued, int deliveriesRequeued) {
        boolean changedAnything() {
            return jobRequeued || deliveriesRequeued > 0;
        }
    }

    private final DataSource db;

    Requeue(DataSource db) {
        this.db = db;
    }

    /** Requeues the job if it is failed or dead, and its dead or waiting deliveries. */
    Outcome retry(long jobId, String user) throws SQLException {
        String owner = "web:" + user;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean job = requeueJob(c, jobId, owner);
                int deliveries = requeueDeliveries(c, jobId, owner);
                c.commit();
                return new Outcome(job, deliveries);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean requeueJob(Connection c, long jobId, String owner) throws SQLException {
        String from;
        try (PreparedStatement ps = c.prepareStatement("SELECT state FROM scp.job WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return false;
                from = rs.getString(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE scp.job SET state = 'queued', attempts = 0, next_attempt_at = now(), lease_owner = NULL,
                    lease_until = NULL, last_error = NULL, updated_at = now()
                WHERE id = ? AND state = ANY (?)""")) {
            ps.setLong(1, jobId);
            ps.setArray(2, c.createArrayOf("text", JobState.words(JobState::retryable).toArray()));
            if (ps.executeUpdate() != 1) return false;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scp.job_event (job_id, from_state, to_state, owner, reason) VALUES (?, ?, 'queued', ?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, from);
            ps.setString(3, owner);
            ps.setString(4, REASON);
            ps.executeUpdate();
        }
        return true;
    }

    private static int requeueDeliveries(Connection c, long jobId, String owner) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE scp.outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = NULL, lease_until = NULL
                WHERE job_id = ? AND state IN ('dead', 'pending') RETURNING id""")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        for (long id : ids) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO scp.outbox_event (outbox_id, to_state, owner, reason) VALUES (?, 'pending', ?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, owner);
                ps.setString(3, REASON);
                ps.executeUpdate();
            }
        }
        return ids.size();
    }
}
