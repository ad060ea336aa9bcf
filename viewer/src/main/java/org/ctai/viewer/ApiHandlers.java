package org.ctai.viewer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API, the overlay images and SEG/SR downloads, and {@code /healthz} and {@code /metrics}. Files are
 * found only by database lookup (job id and slice, or job id and kind); the stored path is resolved under
 * data.dir and served only if it stays there after following links. Callers have checked the session (and,
 * for POSTs, the CSRF token). Thread-safe.
 */
final class ApiHandlers {
    private static final Logger log = LoggerFactory.getLogger(ApiHandlers.class);
    private static final Pattern JOB = Pattern.compile("/api/jobs/(\\d{1,18})");
    private static final Pattern OVERLAY = Pattern.compile("/api/jobs/(\\d{1,18})/overlays/(\\d{1,6})");
    private static final Pattern FILE = Pattern.compile("/api/jobs/(\\d{1,18})/files/(seg|sr)");
    private static final Pattern RETRY = Pattern.compile("/api/jobs/(\\d{1,18})/retry");

    private final DataSource db;
    private final HistoryStore store;
    private final PatientHistory history;
    private final Requeue requeue;
    private final NodeMetrics metrics;
    private final NodeStatus node;
    private final Path dataDir;

    ApiHandlers(DataSource db, NodeStatus node, Path dataDir) {
        this.db = db;
        this.store = new HistoryStore(db);
        this.history = new PatientHistory(store);
        this.requeue = new Requeue(db);
        this.metrics = new NodeMetrics(db, node);
        this.node = node;
        this.dataDir = dataDir;
    }

    /** GET routes under /api/; false when the path is none of them. */
    boolean get(HttpServerExchange ex, String path) throws IOException, SQLException {
        Matcher m;
        if (path.equals("/api/worklist")) worklist(ex);
        else if (path.equals("/api/patient")) patient(ex);
        else if ((m = JOB.matcher(path)).matches()) study(ex, Long.parseLong(m.group(1)));
        else if ((m = OVERLAY.matcher(path)).matches()) {
            sendFile(ex, store.overlayPath(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2))), "image/png", null);
        } else if ((m = FILE.matcher(path)).matches()) {
            String kind = m.group(2);
            sendFile(ex, store.resultPath(Long.parseLong(m.group(1)), kind), "application/dicom",
                    "attachment; filename=\"job-" + m.group(1) + "-" + kind + ".dcm\"");
        } else return false;
        return true;
    }

    /** POST routes under /api/; false when the path is none of them. */
    boolean post(HttpServerExchange ex, String path, Sessions.Session s) throws IOException, SQLException {
        Matcher m = RETRY.matcher(path);
        if (!m.matches()) return false;
        if (!s.isAdmin()) {
            Exchanges.error(ex, 403, "only an admin may retry");
            return true;
        }
        long jobId = Long.parseLong(m.group(1));
        Requeue.Outcome o = requeue.retry(jobId, s.user);
        log.info("web user '{}' asked to retry job {}: job requeued={}, deliveries requeued={}", s.user, jobId, o.jobRequeued(), o.deliveriesRequeued());
        ObjectNode body = HistoryStore.JSON.createObjectNode();
        body.put("jobId", jobId);
        body.put("jobRequeued", o.jobRequeued());
        body.put("deliveriesRequeued", o.deliveriesRequeued());
        if (!o.changedAnything()) body.put("error", "nothing to retry: the job is not failed or dead and has no dead delivery");
        Exchanges.json(ex, o.changedAnything() ? 200 : 409, body);
        return true;
    }

    /** /healthz and /metrics. */
    void operations(HttpServerExchange ex, String path) throws IOException {
        if (path.equals("/metrics")) {
            byte[] text = metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            ex.setResponseContentLength(text.length);
            ex.getOutputStream().write(text);
            return;
        }
        ObjectNode h = HistoryStore.JSON.createObjectNode();
        ObjectNode database = h.putObject("database");
        boolean dbUp;
        long started = System.nanoTime();
        if (!node.databaseUp()) {
            // the node's embedded server is being restarted, or the configured one is away: a connection would wait for the
            // pool's timeout
            dbUp = false;
            database.put("up", false);
            database.put("error", node.databaseDownBecause());
            h.putNull("queueDepth");
            h.putNull("nodes");
        } else try (Connection c = db.getConnection()) {
            dbUp = c.isValid(2);
            database.put("up", dbUp);
            h.put("queueDepth", store.queueDepth());
            h.set("nodes", ClusterNodes.alive(c));
        } catch (SQLException e) {
            dbUp = false;
            database.put("up", false);
            database.put("error", e.getMessage());
            h.putNull("queueDepth");
            h.putNull("nodes");
        }
        database.put("latencyMs", (System.nanoTime() - started) / 1_000_000);
        h.put("modelLoaded", node.modelLoaded());
        h.put("provider", node.provider());
        boolean up = dbUp && node.modelLoaded();
        h.put("status", up ? "up" : "down");
        Exchanges.json(ex, up ? 200 : 503, h);
    }

    private void worklist(HttpServerExchange ex) throws IOException, SQLException {
        String patient = blankToNull(Exchanges.query(ex, "patient"));
        String state = blankToNull(Exchanges.query(ex, "state"));
        if (state != null && !HistoryStore.WORKLIST_STATES.contains(state)) {
            throw new IllegalArgumentException("state must be one of " + HistoryStore.WORKLIST_STATES + ", was " + state);
        }
        String limitText = Exchanges.query(ex, "limit");
        int limit = limitText == null ? 200 : parseLimit(limitText);
        ArrayNode rows = store.worklist(patient, state, limit);
        boolean active = false;
        for (var r : rows) {
            String st = r.path("state").asText();
            if (st.equals("receiving") || st.equals("queued") || st.equals("running") || r.path("deliveriesPending").asLong() > 0) active = true;
        }
        ObjectNode body = HistoryStore.JSON.createObjectNode();
        body.put("active", active);
        body.set("rows", rows);
        Exchanges.json(ex, 200, body);
    }

    private void patient(HttpServerExchange ex) throws IOException, SQLException {
        String id = Exchanges.query(ex, "id");
        String issuer = Exchanges.query(ex, "issuer");
        if (id == null) throw new IllegalArgumentException("parameter id (Patient ID) is required");
        Optional<ObjectNode> h = history.load(id, issuer == null ? "" : issuer);
        if (h.isEmpty()) Exchanges.error(ex, 404, "no such patient");
        else Exchanges.json(ex, 200, h.get());
    }

    private void study(HttpServerExchange ex, long jobId) throws IOException, SQLException {
        Optional<ObjectNode> s = store.study(jobId);
        if (s.isEmpty()) {
            Exchanges.error(ex, 404, "no such job");
            return;
        }
        for (var o : (ArrayNode) s.get().get("overlays")) {
            ((ObjectNode) o).put("url", "/api/jobs/" + jobId + "/overlays/" + o.get("sliceIndex").asInt());
        }
        for (var d : (ArrayNode) s.get().get("downloads")) {
            ((ObjectNode) d).put("url", "/api/jobs/" + jobId + "/files/" + d.get("kind").asText());
        }
        Exchanges.json(ex, 200, s.get());
    }

    /** Streams a file found by a database lookup, only if it lies under data.dir (links followed). */
    private void sendFile(HttpServerExchange ex, Optional<String> stored, String type, String disposition) throws IOException {
        Optional<Path> file = stored.flatMap(this::underDataDir);
        if (file.isEmpty()) {
            Exchanges.error(ex, 404, "not found");
            return;
        }
        long size;
        try {
            size = Files.size(file.get());
        } catch (NoSuchFileException e) {
            Exchanges.error(ex, 404, "the file is gone (deleted by retention?)");
            return;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "private, max-age=300");
        if (disposition != null) ex.getResponseHeaders().put(Headers.CONTENT_DISPOSITION, disposition);
        ex.setResponseContentLength(size);
        try (InputStream in = Files.newInputStream(file.get()); OutputStream out = ex.getOutputStream()) {
            in.transferTo(out);
        }
    }

    Optional<Path> underDataDir(String relative) {
        try {
            Path base = dataDir.toRealPath();
            Path candidate = base.resolve(relative).normalize();
            if (!candidate.startsWith(base) || !Files.isRegularFile(candidate)) return Optional.empty();
            Path real = candidate.toRealPath();
            if (!real.startsWith(base)) {
                log.warn("refused to serve {}: it resolves outside data.dir", relative);
                return Optional.empty();
            }
            return Optional.of(real);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static int parseLimit(String text) {
        if (!text.matches("\\d{1,4}")) throw new IllegalArgumentException("limit must be 1.." + HistoryStore.WORKLIST_MAX_ROWS + ", was " + text);
        return Integer.parseInt(text);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
