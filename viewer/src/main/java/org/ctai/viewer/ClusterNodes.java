package org.ctai.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The nodes alive on the database, for {@code /healthz}: each node refreshes its row in {@code scp.node} every few
 * seconds (scp's {@code NodeHeartbeat}), and what it is doing is read from the leases it holds (running jobs, with
 * their progress, and deliveries being sent). Stateless.
 */
final class ClusterNodes {
    /** A node not seen for this long is not listed (it beats every 5 s; three beats missed and some slack). */
    static final Duration ALIVE_WITHIN = Duration.ofSeconds(30);

    private ClusterNodes() {
    }

    static ArrayNode alive(Connection c) throws SQLException {
        String sql = """
                SELECT n.owner, n.host, n.dicom_address, n.version, n.started_at, n.seen_at,
                       coalesce((SELECT json_agg(json_build_object('jobId', j.id, 'slicesDone', j.slices_done,
                                                                   'slicesTotal', j.slices_total, 'leaseUntil', j.lease_until)
                                                 ORDER BY j.id)
                                 FROM scp.job j WHERE j.state = 'running' AND j.lease_owner = n.owner), '[]'::json)::text,
                       (SELECT count(*) FROM scp.outbox o WHERE o.state = 'sending' AND o.lease_owner = n.owner)
                FROM scp.node n
                WHERE n.seen_at > now() - make_interval(secs => ?)
                ORDER BY n.started_at, n.owner""";
        ArrayNode out = HistoryStore.JSON.createArrayNode();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, ALIVE_WITHIN.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode n = out.addObject();
                    n.put("owner", rs.getString(1));
                    n.put("host", rs.getString(2));
                    n.put("dicomAddress", rs.getString(3));
                    n.put("version", rs.getString(4));
                    n.put("startedAt", rs.getTimestamp(5).toInstant().toString());
                    n.put("seenAt", rs.getTimestamp(6).toInstant().toString());
                    n.set("runningJobs", parse(rs.getString(7)));
                    n.put("sendingDeliveries", rs.getLong(8));
                }
            }
        }
        return out;
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            return HistoryStore.JSON.readTree(json);
        } catch (IOException e) {
            throw new SQLException("the database returned unreadable JSON for the running jobs", e);
        }
    }
}
