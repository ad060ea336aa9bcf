package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The body profile is the typed column {@code scp.job.body_profile} (V14): a result written before it, with the profile
 * in its JSON under {@code body.sections}, has it moved into the column by the migration, and the viewer reads it
 * from there only.
 */
class BodyProfileColumnTest {
    @TempDir
    Path dataDir;

    @Test
    void aProfileStoredInTheResultJsonBeforeV14IsMovedIntoTheColumnAndReadFromThere() throws Exception {
        try (HikariDataSource db = TestDatabase.fresh("13")) {
            SyntheticHistory h = new SyntheticHistory(db, dataDir);
            SyntheticHistory.Patient p = new SyntheticHistory.Patient("P-14", "HOSP", "OLD^RESULT");
            long profiled = h.doneJob(h.series(p, "1.2.3.1401", "20240110", "CT ABDOMEN", "AXIAL", "queued"), List.of(), 0, 64, 64);
            long without = h.doneJob(h.series(p, "1.2.3.1402", "20240410", "CT ABDOMEN", "AXIAL", "queued"), List.of(), 0, 64, 64);
            // as scp's InferenceResult wrote it before V14
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    UPDATE scp.job SET result = result || '{"body": {"thresholdHu": -300.0, "meanHuClamp": 200.0, "sections": [
                        {"slice": 0, "zMm": -100.0, "areaMm2": 50000.5, "xMm": 3.0, "yMm": -12.0, "meanHu": 20.0},
                        {"slice": 1, "zMm": -97.5, "areaMm2": 51000.0, "xMm": 3.5, "yMm": -12.5, "meanHu": "NaN"}]}}'::jsonb
                    WHERE id = ?""")) {
                ps.setLong(1, profiled);
                ps.executeUpdate();
            }

            TestDatabase.migrate(db);

            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    SELECT cardinality(body_profile), (body_profile[1]).slice, (body_profile[1]).area_mm2, (body_profile[2]).z_mm,
                           (body_profile[2]).mean_hu, jsonb_exists(result, 'body'), result ->> 'model'
                    FROM scp.job WHERE id = ?""")) {
                ps.setLong(1, profiled);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(2);
                    assertThat(rs.getInt(2)).isZero();
                    assertThat(rs.getDouble(3)).isEqualTo(50000.5);
                    assertThat(rs.getDouble(4)).isEqualTo(-97.5);
                    assertThat(rs.getDouble(5)).isNaN();
                    assertThat(rs.getBoolean(6)).as("the profile left the JSON").isFalse();
                    assertThat(rs.getString(7)).as("the rest of the JSON stays").isNotEmpty();
                }
            }

            Map<Long, List<StudyAlignment.Section>> bodies = new HistoryStore(db).patientBodies("P-14", "HOSP");
            assertThat(bodies).containsOnlyKeys(profiled).doesNotContainKey(without);
            assertThat(bodies.get(profiled)).hasSize(2);
            assertThat(bodies.get(profiled).get(0).z()).isCloseTo(-100, within(1e-9));
            assertThat(bodies.get(profiled).get(1).x()).isCloseTo(3.5, within(1e-9));
            assertThat(bodies.get(profiled).get(1).meanHu()).isNaN();
        }
    }
}
