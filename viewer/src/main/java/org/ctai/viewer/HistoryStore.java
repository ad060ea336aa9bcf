package org.ctai.viewer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The read side of scp's history: every SQL query of the page, as JSON trees with camelCase names. Columns
 * named {@code *_json} are parsed as JSON; timestamps become ISO-8601 instants. Thread-safe (a connection
 * per call).
 */
final class HistoryStore {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Worklist filter values: the job states plus receiving (no job yet) and undelivered (a dead delivery). */
    static final Set<String> WORKLIST_STATES;

    static {
        Set<String> states = new java.util.LinkedHashSet<>(java.util.List.of("receiving"));
        states.addAll(JobState.words(s -> true));
        states.add("undelivered");
        WORKLIST_STATES = java.util.Collections.unmodifiableSet(states);
    }
    static final int WORKLIST_MAX_ROWS = 500;

    private final DataSource db;

    HistoryStore(DataSource db) {
        this.db = db;
    }

    /**
     * Recent series, newest first: every processed series version (from {@code scp.history}) and every series
     * still being received (no job yet); a series of a study fetched as a prior says for which study
     * ({@code priorFor}, see {@link #priorFor}).
     *
     * @param patient text found in the Patient ID or name (case-insensitive), or null
     * @param state   one of {@link #WORKLIST_STATES}, or null
     */
    ArrayNode worklist(String patient, String state, int limit) throws SQLException {
        String sql = """
                WITH w AS (
                    SELECT h.job_id, h.patient_id, h.issuer_of_patient_id, h.patient_name, h.study_uid, h.study_date,
                           h.study_description, h.series_uid, h.series_description, h.series_version, h.state, h.last_error,
                           h.model, h.provider, h.received_at, h.queued_at, h.started_at, h.inferred_at, h.sent_at,
                           h.lesion_count, h.superseded, j.attempts, j.updated_at,
                           (SELECT count(*) FROM scp.outbox o WHERE o.job_id = h.job_id AND o.state = 'sent') AS deliveries_sent,
                           (SELECT count(*) FROM scp.outbox o WHERE o.job_id = h.job_id AND o.state IN ('pending', 'sending')) AS deliveries_pending,
                           (SELECT count(*) FROM scp.outbox o WHERE o.job_id = h.job_id AND o.state = 'dead') AS deliveries_dead,
                           (SELECT o.last_error FROM scp.outbox o WHERE o.job_id = h.job_id AND o.state <> 'sent' AND o.last_error IS NOT NULL
                            ORDER BY o.id LIMIT 1) AS delivery_error,
                           NULL::bigint AS instances, j.slices_done, j.slices_total, h.pipeline,
                           h.queued_at AS sort_at
                    FROM scp.history h JOIN scp.job j ON j.id = h.job_id
                    UNION ALL
                    SELECT NULL, s.patient_id, s.issuer_of_patient_id, s.patient_name, s.study_uid, s.study_date,
                           s.study_description, s.series_uid, s.series_description, s.version, 'receiving', NULL,
                           NULL, NULL, s.first_received_at, NULL, NULL, NULL, NULL,
                           0, false, 0, s.last_received_at, 0, 0, 0, NULL,
                           (SELECT count(*) FROM scp.instance i WHERE i.series_id = s.id), NULL::integer, NULL::integer, NULL,
                           s.last_received_at
                    FROM scp.series s WHERE s.state = 'receiving')
                SELECT w.*, pf.for_study_uid AS prior_for_study_uid, asking.study_date AS prior_for_study_date,
                       asking.study_description AS prior_for_study_description
                FROM w
                LEFT JOIN scp.prior_fetch pf ON pf.study_uid = w.study_uid
                LEFT JOIN LATERAL (SELECT a.study_date, a.study_description FROM scp.series a
                                   WHERE a.study_uid = pf.for_study_uid ORDER BY a.id LIMIT 1) asking ON true
                WHERE (?::text IS NULL OR strpos(lower(w.patient_id || ' ' || w.patient_name), lower(?)) > 0)
                  AND (?::text IS NULL OR w.state = ? OR (? = 'undelivered' AND w.deliveries_dead > 0))
                ORDER BY w.sort_at DESC NULLS LAST, w.job_id DESC NULLS LAST
                LIMIT ?""";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, patient);
            ps.setString(2, patient);
            ps.setString(3, state);
            ps.setString(4, state);
            ps.setString(5, state);
            ps.setInt(6, Math.min(Math.max(limit, 1), WORKLIST_MAX_ROWS));
            try (ResultSet rs = ps.executeQuery()) {
                ArrayNode rows = rows(rs);
                for (JsonNode row : rows) priorFor((ObjectNode) row);
                return rows;
            }
        }
    }

    /**
     * The three {@code priorFor*} columns as one {@code priorFor} object, {@code {studyUid, studyDate, studyDescription}}:
     * the study the node fetched this row's study for as a prior (scp.prior_fetch.for_study_uid), with the date and
     * description a radiologist knows it by (empty when the node holds no series of it); null when the study is no
     * prior.
     */
    private static void priorFor(ObjectNode row) {
        JsonNode uid = row.remove("priorForStudyUid");
        JsonNode date = row.remove("priorForStudyDate");
        JsonNode description = row.remove("priorForStudyDescription");
        if (uid == null || uid.isNull()) {
            row.putNull("priorFor");
            return;
        }
        ObjectNode asking = row.putObject("priorFor");
        asking.put("studyUid", uid.asText());
        asking.put("studyDate", date == null || date.isNull() ? "" : date.asText());
        asking.put("studyDescription", description == null || description.isNull() ? "" : description.asText());
    }

    /** Every processed series version of one patient, oldest study first. */
    ArrayNode patientJobs(String patientId, String issuer) throws SQLException {
        String sql = """
                SELECT h.job_id, h.patient_id, h.issuer_of_patient_id, h.patient_name, h.study_uid, h.study_date,
                       h.study_description, h.series_uid, h.series_description, h.series_version, h.state, h.last_error,
                       h.model, h.received_at, h.inferred_at, h.sent_at, h.lesion_count, h.superseded
                FROM scp.history h
                WHERE h.patient_id = ? AND h.issuer_of_patient_id = ?
                ORDER BY h.study_date, h.study_uid, h.received_at, h.series_uid, h.series_version""";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, patientId);
            ps.setString(2, issuer);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    /**
     * The summary measurements of every lesion of one patient's jobs; the perimeter is the one on the slice
     * with the largest area (the slice the largest axial area comes from). The short axis comes from the
     * stored measurements ({@code shortAxisMm}); null for results measured before it existed.
     */
    ArrayNode patientLesions(String patientId, String issuer) throws SQLException {
        String sql = """
                SELECT l.job_id, l.lesion_id, l.volume_mm3, l.largest_area_mm2, l.largest_area_slice, l.longest_diameter_mm,
                       l.mean_hu, l.centroid_x_mm, l.centroid_y_mm, l.centroid_z_mm,
                       (l.measurements ->> 'shortAxisMm')::float8 AS short_axis_mm,
                       (SELECT (sl ->> 'perimeterMm')::float8 FROM jsonb_array_elements(l.measurements -> 'slices') sl
                        WHERE (sl ->> 'slice')::int = l.largest_area_slice LIMIT 1) AS perimeter_mm
                FROM scp.lesion l
                JOIN scp.job j ON j.id = l.job_id
                JOIN scp.series s ON s.id = j.series_id
                WHERE s.patient_id = ? AND s.issuer_of_patient_id = ?
                ORDER BY l.job_id, l.lesion_id""";
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, patientId);
            ps.setString(2, issuer);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    /**
     * The body profile of each of one patient's jobs that has one (results from before the profile existed have
     * none), from the typed column {@code scp.job.body_profile} (scp's {@code Findings.body} is its writer), sections
     * in the order they were stored. Keyed by job id, in job id order.
     */
    java.util.Map<Long, java.util.List<StudyAlignment.Section>> patientBodies(String patientId, String issuer) throws SQLException {
        String sql = """
                SELECT j.id, b.z_mm, b.area_mm2, b.x_mm, b.y_mm, b.mean_hu
                FROM scp.job j JOIN scp.series s ON s.id = j.series_id
                CROSS JOIN LATERAL unnest(j.body_profile) WITH ORDINALITY AS b(slice, z_mm, area_mm2, x_mm, y_mm, mean_hu, n)
                WHERE s.patient_id = ? AND s.issuer_of_patient_id = ? AND j.body_profile IS NOT NULL
                ORDER BY j.id, b.n""";
        java.util.Map<Long, java.util.List<StudyAlignment.Section>> bodies = new java.util.LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, patientId);
            ps.setString(2, issuer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bodies.computeIfAbsent(rs.getLong(1), k -> new java.util.ArrayList<>()).add(new StudyAlignment.Section(
                            number(rs, 2), number(rs, 3), number(rs, 4), number(rs, 5), number(rs, 6)));
                }
            }
        }
        return bodies;
    }

    /** A double column; NULL reads as NaN, which the alignment skips like any unmeasured value. */
    private static double number(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    /** One job for the study page: its history row, the result's summary, lesions, overlays and downloads. */
    Optional<ObjectNode> study(long jobId) throws SQLException {
        try (Connection c = db.getConnection()) {
            ObjectNode job;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT h.*, j.attempts,
                           (j.result - 'lesions')::text AS result_json
                    FROM scp.history h JOIN scp.job j ON j.id = h.job_id WHERE h.job_id = ?""")) {
                ps.setLong(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    ArrayNode r = rows(rs);
                    if (r.isEmpty()) return Optional.empty();
                    job = (ObjectNode) r.get(0);
                }
            }
            JsonNode result = job.remove("result");
            ObjectNode out = JSON.createObjectNode();
            out.set("job", job);
            out.set("result", result == null ? JSON.nullNode() : result);
            out.set("lesions", query(c, """
                    SELECT lesion_id, volume_mm3, largest_area_mm2, largest_area_slice, longest_diameter_mm, mean_hu,
                           measurements::text AS measurements_json
                    FROM scp.lesion WHERE job_id = ? ORDER BY lesion_id""", jobId));
            out.set("overlays", query(c, """
                    SELECT slice_index, sop_instance_uid, slice_position, rows, columns
                    FROM scp.overlay_image WHERE job_id = ? ORDER BY slice_index""", jobId));
            out.set("downloads", query(c, """
                    SELECT kind, sop_instance_uid, purged_at IS NULL AS available
                    FROM scp.result_object WHERE job_id = ? AND kind IN ('seg', 'sr') ORDER BY kind, id""", jobId));
            out.set("deliveries", query(c, """
                    SELECT destination, state, attempts, last_error, sent_at FROM scp.outbox WHERE job_id = ? ORDER BY id""", jobId));
            return Optional.of(out);
        }
    }

    /** The stored path (relative to data.dir) of a job's overlay PNG for one slice. */
    Optional<String> overlayPath(long jobId, int slice) throws SQLException {
        return single("SELECT path FROM scp.overlay_image WHERE job_id = ? AND slice_index = ?", jobId, slice);
    }

    /** The stored path (relative to data.dir) of a job's first SEG or SR object whose file was not purged. */
    Optional<String> resultPath(long jobId, String kind) throws SQLException {
        return single("SELECT path FROM scp.result_object WHERE job_id = ? AND kind = ? AND purged_at IS NULL ORDER BY id LIMIT 1", jobId, kind);
    }

    /** Jobs waiting to run. */
    long queueDepth() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scp.job WHERE state = 'queued'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Optional<String> single(String sql, long id, Object second) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.setObject(2, second);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static ArrayNode query(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    static ArrayNode rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] names = new String[n + 1];
        for (int i = 1; i <= n; i++) names[i] = camel(md.getColumnLabel(i));
        ArrayNode out = JSON.createArrayNode();
        while (rs.next()) {
            ObjectNode row = out.addObject();
            for (int i = 1; i <= n; i++) put(row, names[i], rs, i, md.getColumnType(i));
        }
        return out;
    }

    private static void put(ObjectNode row, String name, ResultSet rs, int i, int type) throws SQLException {
        if (name.endsWith("Json")) {
            String text = rs.getString(i);
            String key = name.substring(0, name.length() - 4);
            try {
                row.set(key, text == null ? JSON.nullNode() : JSON.readTree(text));
            } catch (JsonProcessingException e) {
                throw new SQLException("column " + name + " holds no valid JSON", e);
            }
            return;
        }
        Object v = rs.getObject(i);
        if (v == null) row.putNull(name);
        else if (v instanceof Timestamp t) row.put(name, t.toInstant().toString());
        else if (v instanceof Boolean b) row.put(name, b);
        else if (v instanceof Integer x) row.put(name, x);
        else if (v instanceof Long x) row.put(name, x);
        else if (v instanceof Double x) row.put(name, Double.isFinite(x) ? x : null);
        else if (v instanceof Float x) row.put(name, x.doubleValue());
        else if (v instanceof java.math.BigDecimal x) row.put(name, x);
        else if (type == Types.OTHER) {
            try {
                row.set(name, JSON.readTree(v.toString()));
            } catch (JsonProcessingException e) {
                row.put(name, v.toString());
            }
        } else row.put(name, v.toString());
    }

    static String camel(String snake) {
        StringBuilder b = new StringBuilder(snake.length());
        boolean up = false;
        for (char ch : snake.toCharArray()) {
            if (ch == '_') up = true;
            else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }
}
