package org.ctai.scp.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's row in {@code scp.node}, refreshed every {@link #INTERVAL} on the database clock, so every node's
 * health endpoint can list the nodes alive on the database (what each does is in the leases it holds). Removed at
 * an orderly stop; a killed node's row just ages out, and rows older than {@link #FORGET_AFTER} are deleted by
 * whichever node beats. Thread-safe; {@link #close()} is idempotent.
 */
public final class NodeHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
    /** How often the row is refreshed; the page lists a node seen within 30 s. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final DataSource ds;
    private final String owner;
    private final String host;
    private final String dicomAddress;
    private final String version;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private NodeHeartbeat(DataSource ds, String owner, String host, String dicomAddress, String version) {
        this.ds = ds;
        this.owner = owner;
        this.host = host;
        this.dicomAddress = dicomAddress;
        this.version = version;
    }

    /** Writes the row now (failing the start if the database refuses) and then every {@link #INTERVAL}. */
    public static NodeHeartbeat start(DataSource ds, String owner, String host, String dicomAddress, String version) throws SQLException {
        NodeHeartbeat h = new NodeHeartbeat(ds, owner, host, dicomAddress, version);
        h.beat();
        h.timer.scheduleWithFixedDelay(h::beatLogged, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    private void beatLogged() {
        try {
            beat();
        } catch (SQLException | RuntimeException e) {
            // a throw would cancel every later beat without a word
            log.warn("{} - heartbeat failed; the other nodes stop listing this one after 30 s without it: {}", owner, e.getMessage());
        }
    }

    private void beat() throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO scp.node (owner, host, dicom_address, version) VALUES (?, ?, ?, ?)
                    ON CONFLICT (owner) DO UPDATE SET seen_at = now()""")) {
                ps.setString(1, owner);
                ps.setString(2, host);
                ps.setString(3, dicomAddress);
                ps.setString(4, version);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM scp.node WHERE seen_at < now() - make_interval(secs => ?)")) {
                ps.setLong(1, FORGET_AFTER.toSeconds());
                ps.executeUpdate();
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM scp.node WHERE owner = ?")) {
            ps.setString(1, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            log.warn("{} - cannot remove this node's heartbeat row; it ages out in 30 s: {}", owner, e.getMessage());
        }
    }
}
