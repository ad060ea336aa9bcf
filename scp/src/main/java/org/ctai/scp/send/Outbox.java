package org.ctai.scp.send;

import org.ctai.scp.config.NodeConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Deliveries of a job's DICOM objects to one destination, in PostgreSQL: claimed under a lease with FOR UPDATE
 * SKIP LOCKED (so several processes share them and a dead process's delivery is taken again), retried with
 * exponential backoff, dead after {@code send.max-attempts}. Every transition is an {@code outbox_event}.
 * Thread-safe.
 */
public final class Outbox {
    /** A delivery this process holds, with the objects to send. */
    record Delivery(long id, long jobId, NodeConfig.Destination destination, int attempt, String owner, List<Item> items) { }

    public record Item(String sopClassUid, String sopInstanceUid, Path file) { }

    private final DataSource db;
    private final NodeConfig.Send config;
    private final Path dataDir;
    /** {@code send.destinations} and every pipeline's own, to resolve a row's destination with its options of today. */
    private final List<NodeConfig.Destination> configured;

    Outbox(DataSource db, NodeConfig.Send config, Path dataDir) {
        this(db, config, dataDir, config.destinations());
    }

    Outbox(DataSource db, NodeConfig.Send config, Path dataDir, List<NodeConfig.Destination> configured) {
        this.db = db;
        this.config = config;
        this.dataDir = dataDir;
        this.configured = List.copyOf(configured);
    }

    Optional<Delivery> claim(String owner) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            long id;
            long jobId;
            String destination;
            int attempt;
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH next AS (
                        SELECT id, state AS prev_state FROM scp.outbox
                        WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'sending' AND lease_until < now())
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    UPDATE scp.outbox o SET state = 'sending', attempts = o.attempts + 1, lease_owner = ?,
                        lease_until = now() + make_interval(secs => ?)
                    FROM next WHERE o.id = next.id
                    RETURNING o.id, o.job_id, o.destination, o.attempts, next.prev_state""")) {
                ps.setString(1, owner);
                ps.setDouble(2, config.lease().toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return Optional.empty();
                    }
                    id = rs.getLong(1);
                    jobId = rs.getLong(2);
                    destination = rs.getString(3);
                    attempt = rs.getInt(4);
                    event(c, id, "sending", owner, ("sending".equals(rs.getString(5)) ? "lease ran out; taken over, " : "") + "attempt " + attempt);
                }
            }
            List<Item> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sop_class_uid, sop_instance_uid, path FROM scp.result_object WHERE job_id = ? ORDER BY id")) {
                ps.setLong(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) items.add(new Item(rs.getString(1), rs.getString(2), dataDir.resolve(rs.getString(3))));
                }
            }
            c.commit();
            return Optional.of(new Delivery(id, jobId, resolve(destination), attempt, owner, items));
        }
    }

    /**
     * The configured destination a delivery row names (AE@host:port or dicomweb:URL), with its TLS settings (or DICOMweb
     * authentication) as configured now, so a
     * corrected certificate applies to deliveries queued before the restart. A destination no longer configured is
     * sent to as written, without TLS, as before TLS existed; should it be a TLS port, the peer refuses the plain
     * A-ASSOCIATE-RQ (which carries AE titles only), so no patient data leaves in clear, and the delivery fails. A
     * DICOMweb destination no longer configured is sent to without authentication and with the JVM's trust store.
     */
    private NodeConfig.Destination resolve(String written) {
        return configured.stream().filter(d -> d.toString().equals(written)).findFirst()
                .orElseGet(() -> Destinations.parse(written));
    }

    /** All objects arrived (success or warning). */
    void sent(Delivery d, String detail) throws SQLException {
        transition(d, "sent", Duration.ZERO, detail, "sent_at = now(), last_error = NULL");
    }

    /**
     * The destination refused the delivery for good (a DICOMweb 4xx other than 408 and 429: sending the same request
     * again would be refused again): dead at once, with the reason as its last error.
     */
    void refused(Delivery d, String reason) throws SQLException {
        transition(d, "dead", Duration.ZERO, reason + " (attempt " + d.attempt() + "; not retried)", "last_error = ?");
    }

    /** The attempt failed: pending again after the backoff, or dead after the last attempt. */
    void failed(Delivery d, String reason) throws SQLException {
        if (d.attempt() >= config.maxAttempts()) {
            transition(d, "dead", Duration.ZERO, reason + " (attempt " + d.attempt() + " of " + config.maxAttempts() + ")", "last_error = ?");
        } else {
            Duration delay = config.backoffAfter(d.attempt());
            transition(d, "pending", delay, reason + "; retry in " + delay.toMillis() / 1000.0 + " s", "last_error = ?");
        }
    }

    private void transition(Delivery d, String to, Duration delay, String reason, String extra) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE scp.outbox SET state = ?, lease_owner = NULL, lease_until = NULL, "
                    + "next_attempt_at = now() + make_interval(secs => ?), " + extra
                    + " WHERE id = ? AND lease_owner = ? AND state = 'sending'")) {
                int k = 1;
                ps.setString(k++, to);
                ps.setDouble(k++, delay.toMillis() / 1000.0);
                if (extra.contains("?")) ps.setString(k++, reason);
                ps.setLong(k++, d.id());
                ps.setString(k, d.owner());
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return;
                }
            }
            event(c, d.id(), to, d.owner(), reason);
            c.commit();
        }
    }

    /**
     * Makes a job's dead (or any unsent) deliveries pending again with fresh attempts: {@code ./ctai resend JOB}.
     *
     * @return how many deliveries were requeued
     */
    public static int resend(DataSource db, long jobId, String who) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = NULL, lease_until = NULL
                    WHERE job_id = ? AND state IN ('dead', 'pending') RETURNING id""")) {
                ps.setLong(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) event(c, id, "pending", who, "resend requested");
            c.commit();
            return ids.size();
        }
    }

    public static void event(Connection c, long outboxId, String to, String owner, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scp.outbox_event (outbox_id, to_state, owner, reason) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, outboxId);
            ps.setString(2, to);
            ps.setString(3, owner);
            ps.setString(4, reason);
            ps.executeUpdate();
        }
    }
}
