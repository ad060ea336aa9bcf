package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The patient API aligns each study with the earlier ones before matching lesions: a patient lying 40 mm further
 * along the table and 15 mm higher keeps both lesions on their tracks (their raw centroids move 42.7 mm, beyond the
 * 30 mm limit); a study processed before body profiles existed is matched unaligned and says why.
 */
class AlignedTrackingApiTest extends LoggedInServerTest {
    static final SyntheticHistory.Patient MOVED = new SyntheticHistory.Patient("P-7007", "HOSP", "MOVED^MARIO");

    @BeforeAll
    void movedPatient() throws Exception {
        SyntheticHistory h = new SyntheticHistory(clinic.db, clinic.dataDir);
        double[][] lesions = {{-60, -20, -100}, {30, 10, -150}};
        // baseline; 3 months later moved by (0, -15, +40), scanned from a little lower; then a study without profile
        double[][] moves = {{0, 0, 0}, {0, -15, 40}, {0, -15, 40}};
        String[] dates = {"20240110", "20240410", "20240710"};
        for (int i = 0; i < 3; i++) {
            List<SyntheticHistory.LesionSpec> specs = new ArrayList<>();
            for (double[] c : lesions) {
                specs.add(new SyntheticHistory.LesionSpec(4000 - 500 * i, 300, 62, 45, c[0] + moves[i][0] + i, c[1] + moves[i][1], c[2] + moves[i][2] - i));
            }
            List<SyntheticHistory.BodySection> body = i == 2 ? List.of()
                    : SyntheticHistory.body(i == 0 ? -250 : -280, i == 0 ? 0 : -40, i == 0 ? 2.5 : 5, moves[i][0], moves[i][1], moves[i][2]);
            h.doneJob(h.series(MOVED, "1.2.3.700" + i, dates[i], "CT ABDOMEN", "AXIAL", "queued"), specs, 1, Clinic.ROWS, Clinic.COLUMNS, body);
        }
    }

    @Test
    void aPatientLyingFortyMillimetresFurtherAndFifteenHigherKeepsEveryLesionOnItsTrack() throws Exception {
        JsonNode h = Http.json(admin.get("/api/patient?id=P-7007&issuer=HOSP"));
        JsonNode studies = h.get("studies");
        assertThat(h.get("chart").get("tracks")).hasSize(2);
        for (JsonNode s : studies) {
            assertThat(s.get("lesions")).extracting(l -> l.get("track").asInt()).as(s.get("studyDate").asText()).containsExactly(1, 2);
        }
        JsonNode moved = studies.get(1).get("alignment");
        assertThat(moved.get("aligned").asBoolean()).isTrue();
        assertThat(moved.get("referenceStudyUid").asText()).isEqualTo("1.2.3.7000");
        assertThat(moved.get("shiftMm").get("z").asDouble()).isCloseTo(40, within(1.0));
        assertThat(moved.get("shiftMm").get("y").asDouble()).isCloseTo(-15, within(0.5));
        assertThat(moved.get("shiftMm").get("x").asDouble()).isCloseTo(0, within(0.5));
        // the aligned centroid is back in the first study's frame: within a few mm of where the lesion was
        JsonNode aligned = studies.get(1).get("lesions").get(0).get("alignedCentroidMm");
        assertThat(aligned.get("z").asDouble()).isCloseTo(-101, within(1.5));
        assertThat(aligned.get("y").asDouble()).isCloseTo(-20, within(1.0));
        // raw coordinates stay what the scanner said
        assertThat(studies.get(1).get("lesions").get(0).get("centroidMm").get("z").asDouble()).isEqualTo(-61.0);

        JsonNode unprofiled = studies.get(2).get("alignment");
        assertThat(unprofiled.get("aligned").asBoolean()).isFalse();
        assertThat(unprofiled.get("reason").asText()).isEqualTo("no body profile for this study");
        // taken as lying where the previous study lay: same move, so still on track (checked above)
        assertThat(unprofiled.get("toFirstMm").get("z").asDouble()).isCloseTo(40, within(1.0));
        assertThat(h.get("matching").get("minOverlapMm").asDouble()).isEqualTo(StudyAlignment.MIN_OVERLAP_MM);
    }
}
