package org.ctai.viewer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import javax.sql.DataSource;

/**
 * Writes synthetic but realistic history into scp's tables, shaped exactly as scp's worker writes it (the
 * result JSON's lesion records, lesion rows derived from them with scp's own SQL, overlay PNGs and SEG/SR
 * files under data.dir, job and outbox events): for {@link HistoryBenchmark} and the tests. Never used by the
 * running page. Not thread-safe.
 */
public final class SyntheticHistory {
    /** Whose series. */
    public record Patient(String id, String issuer, String name) { }

    /** One lesion's headline figures; the per-slice records are derived from them. */
    public record LesionSpec(double volumeMm3, double largestAreaMm2, double perimeterMm, double meanHu, double x, double y, double z) { }

    /** One section of a job's body profile, as the inference module measures it per slice (scp stores it in scp.job.body_profile). */
    public record BodySection(double zMm, double areaMm2, double xMm, double yMm, double meanHu) { }

    /**
     * A synthetic abdomen's body profile every {@code spacingMm} from {@code fromZ} to {@code toZ} (the anatomy's own
     * z, mm), the patient lying moved by (dx, dy, dz) mm: area falling towards the pelvis with a bump, mean HU
     * rising over the liver, so that the position along the table can be told.
     */
    public static List<BodySection> body(double fromZ, double toZ, double spacingMm, double dx, double dy, double dz) {
        List<BodySection> out = new java.util.ArrayList<>();
        for (double z = fromZ; z <= toZ + 1e-9; z += spacingMm) {
            double area = 60_000 + 40 * z + 5_000 * Math.exp(-Math.pow((z + 120) / 25, 2));
            double hu = -20 + 45 * Math.exp(-Math.pow((z + 60) / 40, 2)) + 10 * Math.sin(z / 17);
            out.add(new BodySection(z + dz, area, 3 + dx, -12 + dy, hu));
        }
        return out;
    }

    private static final AtomicLong UIDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);
    private final DataSource db;
    private final Path dataDir;

    public SyntheticHistory(DataSource db, Path dataDir) {
        this.db = db;
        this.dataDir = dataDir;
    }

    public static String uid() {
        return "2.25." + UIDS.incrementAndGet();
    }

    /** Records that the node fetched {@code studyUid} from the PACS as a prior of {@code forStudyUid} (scp.prior_fetch, as scp's PriorStore does). */
    public void priorFetched(String studyUid, String forStudyUid, String studyDate) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scp.prior_fetch (study_uid, for_study_uid, study_date, state) VALUES (?, ?, ?, 'done')")) {
            ps.setString(1, studyUid);
            ps.setString(2, forStudyUid);
            ps.setString(3, studyDate);
            ps.executeUpdate();
        }
    }

    /** A series row; state {@code receiving} or {@code queued}. Returns its id. */
    public long series(Patient p, String studyUid, String studyDate, String studyDescription, String seriesDescription, String state) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.series (series_uid, study_uid, patient_id, issuer_of_patient_id, patient_name, study_date,
                    study_description, series_description, modality, calling_ae, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'CT', 'ORTHANC', ?) RETURNING id""")) {
            ps.setString(1, uid());
            ps.setString(2, studyUid);
            ps.setString(3, p.id());
            ps.setString(4, p.issuer());
            ps.setString(5, p.name());
            ps.setString(6, studyDate);
            ps.setString(7, studyDescription);
            ps.setString(8, seriesDescription);
            ps.setString(9, state);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Instance rows (no files) for a series being received. */
    void instances(long seriesId, int count) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.instance (sop_instance_uid, series_id, sop_class_uid, transfer_syntax_uid, path, size_bytes, digest, calling_ae)
                VALUES (?, ?, '1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.1.2.1', ?, 526000, '00000000', 'ORTHANC')""")) {
            for (int i = 0; i < count; i++) {
                String sop = uid();
                ps.setString(1, sop);
                ps.setLong(2, seriesId);
                ps.setString(3, "spool/" + sop + ".dcm");
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * A job in any state but done, with its events; {@code running} gets a start event, {@code failed} and
     * {@code dead} the error.
     */
    long job(long seriesId, String state, String lastError) throws SQLException {
        try (Connection c = db.getConnection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO scp.job (series_id, series_version, state, attempts, max_attempts, last_error, lease_owner, lease_until)
                    VALUES (?, 1, ?, ?, 5, ?, ?, ?) RETURNING id""")) {
                ps.setLong(1, seriesId);
                ps.setString(2, state);
                ps.setInt(3, state.equals("dead") ? 5 : state.equals("queued") ? 0 : 1);
                ps.setString(4, lastError);
                ps.setString(5, state.equals("running") ? "node-1:worker-1" : null);
                ps.setObject(6, state.equals("running") ? java.sql.Timestamp.from(java.time.Instant.now().plusSeconds(60)) : null);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            event(c, id, null, "queued", "series complete");
            if (!state.equals("queued")) event(c, id, "queued", "running", "claimed");
            if (state.equals("failed") || state.equals("dead")) event(c, id, "running", state, lastError);
            return id;
        }
    }

    /**
     * A done job with its result JSON (lesion records as scp's inference writes them), lesion rows, overlay
     * PNGs of {@code rows x columns} with the contours drawn (one per slice of the largest lesion, at most
     * {@code overlaySlices}) and a SEG and an SR file.
     */
    public long doneJob(long seriesId, List<LesionSpec> lesions, int overlaySlices, int rows, int columns) throws SQLException, IOException {
        return doneJob(seriesId, lesions, overlaySlices, rows, columns, List.of());
    }

    /** As {@link #doneJob(long, List, int, int, int)}, with a body profile in the result (none when empty, as before issue 19). */
    public long doneJob(long seriesId, List<LesionSpec> lesions, int overlaySlices, int rows, int columns, List<BodySection> body)
            throws SQLException, IOException {
        long id = job(seriesId, "running", null);
        ArrayNode records = HistoryStore.JSON.createArrayNode();
        int n = 0;
        for (LesionSpec l : lesions) records.add(lesionRecord(++n, l, overlaySlices));
        ObjectNode result = HistoryStore.JSON.createObjectNode();
        result.put("kind", "inference");
        result.put("model", "ctai-phantom-unet (bundled)");
        result.put("modelVersion", "2024.1");
        result.put("provider", "CPU");
        result.put("slices", 60);
        result.put("rows", rows);
        result.put("columns", columns);
        result.set("lesions", records);
        ObjectNode timings = result.putObject("timingsMs");
        timings.put("load", 420);
        timings.put("segmentation", 5800);
        timings.put("measurement", 310);
        timings.put("writing", 150);
        ObjectNode stages = result.putObject("stages");
        stages.put("load", 420);
        stages.put("preprocess", 40);
        stages.put("inference", 5760);
        stages.put("postprocess", 310);
        stages.put("write", 150);
        Path results = Files.createDirectories(dataDir.resolve("results").resolve("job-" + id));
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.job SET state = 'done', result = ?::jsonb, lease_owner = NULL, lease_until = NULL,
                        inferred_at = now(), model = ?, model_version = ?, provider = ?, processing_seconds = ?, updated_at = now()
                    WHERE id = ?""")) {
                ps.setString(1, result.toString());
                ps.setString(2, "ctai-phantom-unet (bundled)");
                ps.setString(3, "2024.1");
                ps.setString(4, "CPU");
                ps.setDouble(5, (420 + 5800 + 310) / 1000.0);
                ps.setLong(6, id);
                ps.executeUpdate();
            }
            // the column scp's JobQueue.complete writes from the typed profile (Findings.body)
            if (!body.isEmpty()) {
                StringBuilder sections = new StringBuilder();
                for (int i = 0; i < body.size(); i++) sections.append(i == 0 ? "" : ", ").append("ROW(?, ?, ?, ?, ?, ?)::scp.body_section");
                try (PreparedStatement ps = c.prepareStatement("UPDATE scp.job SET body_profile = ARRAY[" + sections + "] WHERE id = ?")) {
                    int k = 1;
                    int slice = 0;
                    for (BodySection b : body) {
                        ps.setInt(k++, slice++);
                        ps.setDouble(k++, b.zMm());
                        ps.setDouble(k++, b.areaMm2());
                        ps.setDouble(k++, b.xMm());
                        ps.setDouble(k++, b.yMm());
                        ps.setDouble(k++, b.meanHu());
                    }
                    ps.setLong(k, id);
                    ps.executeUpdate();
                }
            }
            // the columns scp's JobQueue.complete writes from the typed lesions
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO scp.lesion (job_id, lesion_id, volume_mm3, largest_area_mm2, largest_area_slice, longest_diameter_mm,
                                            mean_hu, centroid_x_mm, centroid_y_mm, centroid_z_mm, measurements)
                    SELECT ?, (l->>'id')::int, (l->>'volumeMm3')::float8, (l->>'largestAreaMm2')::float8,
                           (l->>'largestAreaSlice')::int, (l->>'longestDiameterMm')::float8, (l->'hu'->>'meanHu')::float8,
                           (l->'centroidMm'->>'x')::float8, (l->'centroidMm'->>'y')::float8, (l->'centroidMm'->>'z')::float8, l
                    FROM jsonb_array_elements(coalesce(?::jsonb->'lesions', '[]'::jsonb)) AS l""")) {
                ps.setLong(1, id);
                ps.setString(2, result.toString());
                ps.executeUpdate();
            }
            for (String kind : new String[] {"seg", "sr"}) {
                Path f = results.resolve(kind + ".dcm");
                byte[] dicom = new byte[132 + 64];
                dicom[128] = 'D';
                dicom[129] = 'I';
                dicom[130] = 'C';
                dicom[131] = 'M';
                Files.write(f, dicom);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO scp.result_object (job_id, kind, sop_class_uid, sop_instance_uid, path) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, kind);
                    ps.setString(3, kind.equals("seg") ? "1.2.840.10008.5.1.4.1.1.66.4" : "1.2.840.10008.5.1.4.1.1.88.22");
                    ps.setString(4, uid());
                    ps.setString(5, dataDir.relativize(f).toString());
                    ps.executeUpdate();
                }
            }
            if (!lesions.isEmpty()) {
                for (int s = 0; s < overlaySlices; s++) {
                    int slice = 20 + s;
                    Path png = Files.createDirectories(results.resolve("overlays")).resolve(String.format("slice-%04d.png", slice));
                    writePng(png, rows, columns, s);
                    try (PreparedStatement ps = c.prepareStatement("""
                            INSERT INTO scp.overlay_image (job_id, slice_index, sop_instance_uid, slice_position, path, rows, columns)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                        ps.setLong(1, id);
                        ps.setInt(2, slice);
                        ps.setString(3, uid());
                        ps.setDouble(4, -120.0 + slice * 2.5);
                        ps.setString(5, dataDir.relativize(png).toString());
                        ps.setInt(6, rows);
                        ps.setInt(7, columns);
                        ps.executeUpdate();
                    }
                }
            }
            event(c, id, "running", "done", "processed; 2 objects for 1 destinations");
            c.commit();
        }
        return id;
    }

    /** A delivery of a job's objects; {@code sent} gets a send time. */
    void delivery(long jobId, String destination, String state, String lastError) throws SQLException {
        try (Connection c = db.getConnection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO scp.outbox (job_id, destination, state, attempts, last_error, sent_at)
                    VALUES (?, ?, ?, ?, ?, CASE WHEN ? = 'sent' THEN now() END) RETURNING id""")) {
                ps.setLong(1, jobId);
                ps.setString(2, destination);
                ps.setString(3, state);
                ps.setInt(4, state.equals("dead") ? 5 : 1);
                ps.setString(5, lastError);
                ps.setString(6, state);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scp.outbox_event (outbox_id, to_state, owner, reason) VALUES (?, ?, 'node-1', ?)")) {
                ps.setLong(1, id);
                ps.setString(2, state);
                ps.setString(3, lastError == null ? "sent" : lastError + " (attempt 5 of 5)");
                ps.executeUpdate();
            }
        }
    }

    private static ObjectNode lesionRecord(int id, LesionSpec l, int sliceCount) {
        int slices = Math.max(3, sliceCount);
        int first = 20;
        int largest = first + slices / 2;
        ObjectNode r = HistoryStore.JSON.createObjectNode();
        r.put("id", id);
        r.put("firstSlice", first);
        r.put("lastSlice", first + slices - 1);
        r.put("volumeMm3", l.volumeMm3());
        r.put("volumeMl", l.volumeMm3() / 1000.0);
        r.put("largestAreaMm2", l.largestAreaMm2());
        r.put("largestAreaSlice", largest);
        double diameter = 2 * Math.sqrt(l.largestAreaMm2() / Math.PI) * 1.1;
        r.put("longestDiameterMm", diameter);
        r.put("longestDiameterSlice", largest);
        centroid(r.putObject("centroidMm"), l.x(), l.y(), l.z());
        hu(r.putObject("hu"), l.meanHu(), 4000);
        ArrayNode list = r.putArray("slices");
        for (int k = 0; k < slices; k++) {
            int slice = first + k;
            double f = 1.0 - Math.abs(slice - largest) / (double) slices; // largest in the middle
            double area = l.largestAreaMm2() * f;
            ObjectNode s = list.addObject();
            s.put("slice", slice);
            s.put("areaMm2", area);
            s.put("perimeterMm", l.perimeterMm() * Math.sqrt(f));
            centroid(s.putObject("centroidMm"), l.x() + 0.2 * k, l.y() - 0.1 * k, -120.0 + slice * 2.5);
            double major = 2 * Math.sqrt(area / Math.PI) * 1.15;
            double minor = 2 * Math.sqrt(area / Math.PI) * 0.87;
            s.put("majorAxisMm", major);
            s.put("minorAxisMm", minor);
            s.put("roundness", minor / major);
            s.put("longestDiameterMm", major * 1.02);
            hu(s.putObject("hu"), l.meanHu() + k - slices / 2.0, (long) (area / 0.6));
            ObjectNode t = s.putObject("texture");
            String[] names = {"smallGradientDominance", "largeGradientDominance", "grayLevelNonUniformity", "gradientNonUniformity",
                "energy", "grayMean", "gradientMean", "grayStandardDeviation", "gradientStandardDeviation", "correlation",
                "grayEntropy", "gradientEntropy", "mixedEntropy", "inertia", "inverseDifferenceMoment"};
            for (int i = 0; i < names.length; i++) t.put(names[i], 0.05 * (i + 1) + 0.01 * k);
        }
        return r;
    }

    private static void centroid(ObjectNode c, double x, double y, double z) {
        c.put("x", x);
        c.put("y", y);
        c.put("z", z);
    }

    private static void hu(ObjectNode h, double mean, long samples) {
        h.put("sampleCount", samples);
        h.put("meanHu", mean);
        h.put("standardDeviationHu", 14.2);
        h.put("minHu", mean - 45);
        h.put("maxHu", mean + 52);
        h.put("medianHu", mean + 0.8);
        h.put("skewness", 0.12);
        h.put("kurtosis", 2.69);
    }

    /** A gray CT-like disk with a green contour, as the inference module's overlay renderer draws it. */
    private static void writePng(Path file, int rows, int columns, int variant) throws IOException {
        BufferedImage img = new BufferedImage(columns, rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(20, 20, 20));
            g.fillRect(0, 0, columns, rows);
            g.setColor(new Color(110, 110, 110));
            g.fillOval(columns / 8, rows / 6, columns * 3 / 4, rows * 2 / 3);
            g.setColor(new Color(150, 150, 150));
            int r = Math.max(4, columns / 12 - variant);
            g.fillOval(columns / 2 - r, rows / 2 - r, 2 * r, 2 * r);
            g.setColor(Color.GREEN);
            g.setStroke(new BasicStroke(2));
            g.drawOval(columns / 2 - r, rows / 2 - r, 2 * r, 2 * r);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void event(Connection c, long jobId, String from, String to, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scp.job_event (job_id, from_state, to_state, owner, reason) VALUES (?, ?, ?, 'node-1:worker-1', ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, from);
            ps.setString(3, to);
            ps.setString(4, reason == null ? "" : reason);
            ps.executeUpdate();
        }
    }
}
