package org.ctai.viewer;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A small clinic's history in a fresh database, as scp writes it: a patient with three studies of a shrinking
 * lesion (plus a smaller one), a patient whose name is a script, a failed and a dead job, a done job whose
 * delivery is dead, a running, a queued and a receiving series. Overlay PNGs and SEG/SR files under a temporary
 * data.dir. Close it after use.
 */
final class Clinic implements AutoCloseable {
    static final SyntheticHistory.Patient JANE = new SyntheticHistory.Patient("P-1001", "HOSP", "DOE^JANE");
    static final SyntheticHistory.Patient SCRIPT = new SyntheticHistory.Patient("P-2002", "HOSP", "<script>alert(1)</script>");
    static final SyntheticHistory.Patient FAIL = new SyntheticHistory.Patient("P-3003", "HOSP", "ROE^RICHARD");
    static final SyntheticHistory.Patient SEND = new SyntheticHistory.Patient("P-4004", "", "MUSTERMANN^MAX");
    static final SyntheticHistory.Patient BUSY = new SyntheticHistory.Patient("P-5005", "HOSP", "WANG^LI");
    static final String FAILED_REASON = "series refused: slices are not parallel (2 orientations)";
    static final String DEAD_REASON = "inference crashed 5 times: out of memory";
    static final String DELIVERY_ERROR = "association rejected by PACS@10.0.0.5:104: calling AE title not recognized";
    static final int ROWS = 192;
    static final int COLUMNS = 256;

    final HikariDataSource db;
    final Path dataDir;
    final List<Long> janeJobs;
    final long scriptJob;
    final long failedJob;
    final long deadJob;
    final long undeliveredJob;
    final long runningJob;

    Clinic() throws Exception {
        db = TestDatabase.fresh();
        dataDir = Files.createTempDirectory("ctai-viewer-test");
        SyntheticHistory h = new SyntheticHistory(db, dataDir);
        // three studies, three months apart: lesion 1 shrinks 12 -> 8 -> 5 mL and drifts 3 mm; lesion 2 shrinks less
        String[] dates = {"20240110", "20240410", "20240710"};
        double[] big = {12000, 8000, 5000};
        double[] small = {2000, 1800, 1500};
        Long[] jobs = new Long[3];
        for (int i = 0; i < 3; i++) {
            long s = h.series(JANE, "1.2.3.100" + i, dates[i], "CT ABDOMEN WITH CONTRAST", "AXIAL 2.5 mm", "queued");
            jobs[i] = h.doneJob(s, List.of(
                    new SyntheticHistory.LesionSpec(big[i], 520 * big[i] / 12000, 84 * Math.sqrt(big[i] / 12000), 46 - i, 10 + i, -50 + i, 100 + i),
                    new SyntheticHistory.LesionSpec(small[i], 150 * small[i] / 2000, 45 * Math.sqrt(small[i] / 2000), 39, 80, 20, 60 - i)),
                    4, ROWS, COLUMNS);
            h.delivery(jobs[i], "PACS@10.0.0.5:104", "sent", null);
        }
        janeJobs = List.of(jobs);
        long s = h.series(SCRIPT, "1.2.3.200", "20240301", "<img src=x onerror=alert(3)>", "\"><svg onload=alert(4)>", "queued");
        scriptJob = h.doneJob(s, List.of(new SyntheticHistory.LesionSpec(3000, 200, 52, 40, 0, 0, 0)), 2, ROWS, COLUMNS);
        failedJob = h.job(h.series(FAIL, "1.2.3.300", "20240502", "CT CHEST", "LOCALIZER", "queued"), "failed", FAILED_REASON);
        deadJob = h.job(h.series(FAIL, "1.2.3.301", "20240503", "CT CHEST", "AXIAL 1 mm", "queued"), "dead", DEAD_REASON);
        undeliveredJob = h.doneJob(h.series(SEND, "1.2.3.400", "20240601", "CT PELVIS", "AXIAL 3 mm", "queued"), List.of(), 0, ROWS, COLUMNS);
        h.delivery(undeliveredJob, "PACS@10.0.0.5:104", "dead", DELIVERY_ERROR);
        runningJob = h.job(h.series(BUSY, "1.2.3.500", "20240701", "CT LIVER", "PORTAL VENOUS", "queued"), "running", null);
        h.job(h.series(BUSY, "1.2.3.501", "20240701", "CT LIVER", "ARTERIAL", "queued"), "queued", null);
        h.instances(h.series(BUSY, "1.2.3.502", "20240701", "CT LIVER", "DELAYED", "receiving"), 3);
    }

    String jobState(long jobId) throws SQLException {
        return text("SELECT state FROM scp.job WHERE id = ?", jobId);
    }

    String text(String sql, long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    void execute(String sql, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }

    @Override
    public void close() throws IOException {
        db.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
