package org.ctai.viewer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Optional;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics}: the node's figures in the Prometheus text format, through Micrometer. scp records no
 * counters of its own yet, so every figure is derived from SQL counts at scrape time (one query per scrape):
 * a counter here is a count of rows, which retention or a retry can lower. When a scrape cannot reach the
 * database the previous values are kept and {@code ctai_database_up} is 0. Thread-safe (scrapes serialised).
 */
final class NodeMetrics {
    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
    static final List<JobState> JOB_STATES = List.of(JobState.values());
    static final List<String> DELIVERY_STATES = List.of("pending", "sending", "sent", "dead");

    /** One scrape's counts. */
    private record Snapshot(long instances, long seriesCompleted, long[] jobs, long[] deliveries, long inferences,
                            double inferenceSeconds, long sendFailures, boolean databaseUp) {
        static final Snapshot EMPTY = new Snapshot(0, 0, new long[JobState.values().length], new long[4], 0, 0, 0, false);
    }

    private final DataSource db;
    private final NodeStatus node;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final MultiGauge unprocessed;

    NodeMetrics(DataSource db, NodeStatus node) {
        this.db = db;
        this.node = node;
        FunctionCounter.builder("ctai.instances.received", this, m -> m.snapshot.instances)
                .description("DICOM instances stored (rows of scp.instance)").register(registry);
        FunctionCounter.builder("ctai.series.completed", this, m -> m.snapshot.seriesCompleted)
                .description("series versions completed and queued for processing (rows of scp.job)").register(registry);
        for (int i = 0; i < JOB_STATES.size(); i++) {
            int k = i;
            Gauge.builder("ctai.jobs", this, m -> m.snapshot.jobs[k]).tag("state", JOB_STATES.get(i).word())
                    .description("jobs by state").register(registry);
        }
        for (int i = 0; i < DELIVERY_STATES.size(); i++) {
            int k = i;
            Gauge.builder("ctai.deliveries", this, m -> m.snapshot.deliveries[k]).tag("state", DELIVERY_STATES.get(i))
                    .description("result deliveries (outbox) by state").register(registry);
        }
        Gauge.builder("ctai.queue.depth", this, m -> m.snapshot.jobs[JobState.QUEUED.ordinal()]).description("jobs waiting to run").register(registry);
        unprocessed = MultiGauge.builder("ctai.series.unprocessed")
                .description("series versions that produced no result, by state (ignored, skipped, not-chosen) and reason").register(registry);
        FunctionTimer.builder("ctai.inference", this, m -> m.snapshot.inferences, m -> m.snapshot.inferenceSeconds, TimeUnit.SECONDS)
                .description("load + segmentation + measurement time of done jobs (scp.job.processing_seconds)").register(registry);
        FunctionCounter.builder("ctai.send.failures", this, m -> m.snapshot.sendFailures)
                .description("failed delivery attempts (outbox events after a failed send)").register(registry);
        Gauge.builder("ctai.model.loaded", this, m -> m.node.modelLoaded() ? 1 : 0).description("1 when the model is loaded").register(registry);
        Gauge.builder("ctai.database.up", this, m -> m.snapshot.databaseUp ? 1 : 0).description("1 when the last scrape reached the database").register(registry);
    }

    /** Refreshes the counts and returns the Prometheus text. */
    synchronized String scrape() {
        try {
            if (!node.databaseUp()) throw new SQLException(node.databaseDownBecause());
            snapshot = read();
        } catch (SQLException e) {
            log.warn("metrics: cannot read the counts from the database ({}); serving the previous values", e.getMessage());
            Snapshot s = snapshot;
            snapshot = new Snapshot(s.instances, s.seriesCompleted, s.jobs, s.deliveries, s.inferences, s.inferenceSeconds, s.sendFailures, false);
        }
        return registry.scrape();
    }

    private Snapshot read() throws SQLException {
        // failed send attempts: scp's Outbox records each as an event to 'dead', or to 'pending' with "; retry in"
        String sql = """
                SELECT (SELECT count(*) FROM scp.instance),
                       (SELECT count(*) FROM scp.job),
                       (SELECT count(*) FILTER (WHERE state = 'pending') FROM scp.outbox),
                       (SELECT count(*) FILTER (WHERE state = 'sending') FROM scp.outbox),
                       (SELECT count(*) FILTER (WHERE state = 'sent') FROM scp.outbox),
                       (SELECT count(*) FILTER (WHERE state = 'dead') FROM scp.outbox),
                       (SELECT count(*) FROM scp.job WHERE state = 'done' AND processing_seconds IS NOT NULL),
                       (SELECT coalesce(sum(processing_seconds), 0) FROM scp.job WHERE state = 'done' AND processing_seconds IS NOT NULL),
                       (SELECT count(*) FROM scp.outbox_event
                        WHERE to_state = 'dead' OR (to_state = 'pending' AND reason LIKE '%; retry in %'))""";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            long[] deliveries = new long[4];
            for (int i = 0; i < 4; i++) deliveries[i] = rs.getLong(3 + i);
            long[] jobs = new long[JobState.values().length];
            Map<List<String>, Long> byReason = new java.util.TreeMap<>(java.util.Comparator.comparing(Object::toString));
            try (PreparedStatement byState = c.prepareStatement("SELECT state, last_error, count(*) FROM scp.job GROUP BY state, last_error");
                 ResultSet r = byState.executeQuery()) {
                while (r.next()) {
                    Optional<JobState> state = JobState.of(r.getString(1));
                    if (state.isEmpty()) continue;
                    jobs[state.get().ordinal()] += r.getLong(3);
                    if (state.get().withoutResult()) {
                        byReason.merge(List.of(state.get().word(), reasonKey(r.getString(2))), r.getLong(3), Long::sum);
                    }
                }
            }
            unprocessed.register(byReason.entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey().get(0), "reason", e.getKey().get(1)), e.getValue()))
                    .toList(), true);
            return new Snapshot(rs.getLong(1), rs.getLong(2), jobs, deliveries, rs.getLong(7), rs.getDouble(8), rs.getLong(9), true);
        }
    }

    /**
     * A reason without its values, so that the metric has few series: {@code liver: rule.4} for a series no pipeline
     * took (the first pipeline's failing rule), {@code body part} or {@code gantry tilt} for one outside its model's
     * domain.
     */
    static String reasonKey(String lastError) {
        if (lastError == null || lastError.isBlank()) return "unknown";
        String domain = "outside the model's domain: ";
        if (lastError.startsWith(domain)) {
            String what = lastError.substring(domain.length());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:[0-9.]+ )?([a-z][a-z ]*?)(?: [0-9A-Z(].*|,.*)?$").matcher(what);
            return m.matches() ? m.group(1).trim() : "domain";
        }
        int paren = lastError.indexOf(" (");
        return paren > 0 ? lastError.substring(0, paren) : lastError.length() > 40 ? lastError.substring(0, 40) : lastError;
    }
}
