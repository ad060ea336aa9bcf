package org.ctai.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The patient history page's data: every study of one patient in date order, each study's lesions, each study
 * aligned with the earlier ones ({@link StudyAlignment}: the patient's movement on the table), lesions tracked
 * across studies in the first study's frame ({@link LesionTracker}), the chart series, the changes since the
 * previous and the first study, and the computed treatment response ({@link ResponseAssessment}).
 *
 * <p>A study is charted with one job: the latest done, not superseded series version of the study (a study
 * with several processed series is charted with the one processed last; all are listed). Studies without a
 * done job (failed, queued, ...) are listed but not charted. Thread-safe.
 */
final class PatientHistory {
    /** The metrics charted per lesion, as named in the JSON. */
    static final List<String> METRICS = List.of("volumeMm3", "largestAreaMm2", "perimeterMm", "meanHu");

    private final HistoryStore store;

    PatientHistory(HistoryStore store) {
        this.store = store;
    }

    Optional<ObjectNode> load(String patientId, String issuer) throws SQLException {
        ArrayNode jobs = store.patientJobs(patientId, issuer);
        if (jobs.isEmpty()) return Optional.empty();
        Map<Long, List<ObjectNode>> lesionsByJob = new LinkedHashMap<>();
        for (JsonNode l : store.patientLesions(patientId, issuer)) {
            lesionsByJob.computeIfAbsent(l.get("jobId").asLong(), k -> new ArrayList<>()).add((ObjectNode) l);
        }
        ObjectNode out = HistoryStore.JSON.createObjectNode();
        out.put("patientId", patientId);
        out.put("issuerOfPatientId", issuer);
        out.put("patientName", jobs.get(jobs.size() - 1).path("patientName").asText(""));
        ObjectNode matching = out.putObject("matching");
        matching.put("rule", "nearest centroid after aligning each study with the earlier ones, greedy, in study date order");
        matching.put("maxDistanceMm", LesionTracker.MAX_DISTANCE_MM);
        matching.put("alignment", "translation from the body profiles: along the table by the best fit of body area and mean HU, "
                + "in plane by the body centroids");
        matching.put("maxShiftMm", StudyAlignment.MAX_SHIFT_MM);
        matching.put("minOverlapMm", StudyAlignment.MIN_OVERLAP_MM);
        Map<Long, List<StudyAlignment.Section>> bodies = store.patientBodies(patientId, issuer);

        // group the jobs by study, keeping date order
        Map<String, ObjectNode> studies = new LinkedHashMap<>();
        for (JsonNode j : jobs) {
            ObjectNode study = studies.computeIfAbsent(j.get("studyUid").asText(), uid -> {
                ObjectNode s = HistoryStore.JSON.createObjectNode();
                s.put("studyUid", uid);
                s.put("studyDate", j.path("studyDate").asText(""));
                s.put("studyDescription", j.path("studyDescription").asText(""));
                s.putArray("jobs");
                s.putNull("chartedJobId");
                return s;
            });
            ((ArrayNode) study.get("jobs")).add(j);
            if ("done".equals(j.path("state").asText()) && !j.path("superseded").asBoolean()) {
                study.put("chartedJobId", j.get("jobId").asLong()); // rows come oldest first: the last one wins
            }
        }

        List<ObjectNode> charted = new ArrayList<>();
        List<List<LesionTracker.Point>> points = new ArrayList<>();
        // each charted study's position relative to the first one: lesions are matched in the first study's frame
        double[] toFirst = {0, 0, 0};
        ObjectNode reference = null; // the latest earlier charted study with a body profile
        for (ObjectNode s : studies.values()) {
            ArrayNode lesions = s.putArray("lesions");
            if (s.get("chartedJobId").isNull()) continue;
            long jobId = s.get("chartedJobId").asLong();
            List<StudyAlignment.Section> body = bodies.get(jobId);
            ObjectNode alignment = s.putObject("alignment");
            if (charted.isEmpty()) {
                alignment.put("aligned", true);
                alignment.putNull("referenceStudyUid");
            } else {
                Optional<StudyAlignment.Shift> shift = reference == null || body == null ? Optional.empty()
                        : StudyAlignment.estimate(bodies.get(reference.get("chartedJobId").asLong()), body);
                alignment.put("aligned", shift.isPresent());
                if (shift.isPresent()) {
                    double[] base = reference.get("alignment").has("toFirstMm") ? xyz(reference.get("alignment").get("toFirstMm")) : new double[3];
                    StudyAlignment.Shift sh = shift.get();
                    toFirst = new double[] {base[0] + sh.dxMm(), base[1] + sh.dyMm(), base[2] + sh.dzMm()};
                    alignment.put("referenceStudyUid", reference.get("studyUid").asText());
                    alignment.put("referenceStudyDate", reference.get("studyDate").asText());
                    putXyz(alignment.putObject("shiftMm"), sh.dxMm(), sh.dyMm(), sh.dzMm());
                    alignment.put("overlapMm", sh.overlapMm());
                } else {
                    alignment.put("reason", body == null ? "no body profile for this study"
                            : reference == null ? "no earlier study with a body profile" : "the body profiles overlap too little");
                }
            }
            putXyz(alignment.putObject("toFirstMm"), toFirst[0], toFirst[1], toFirst[2]);
            if (body != null) reference = s;
            List<LesionTracker.Point> ps = new ArrayList<>();
            for (ObjectNode l : lesionsByJob.getOrDefault(jobId, List.of())) {
                ObjectNode row = lesions.addObject();
                row.put("lesionId", l.get("lesionId").asInt());
                for (String m : METRICS) row.set(m, l.get(m));
                row.put("volumeMl", l.get("volumeMm3").asDouble() / 1000.0);
                row.set("longestDiameterMm", l.get("longestDiameterMm"));
                row.set("shortAxisMm", l.get("shortAxisMm"));
                row.set("largestAreaSlice", l.get("largestAreaSlice"));
                ObjectNode c = row.putObject("centroidMm");
                c.set("x", l.get("centroidXMm"));
                c.set("y", l.get("centroidYMm"));
                c.set("z", l.get("centroidZMm"));
                double ax = l.get("centroidXMm").asDouble() - toFirst[0];
                double ay = l.get("centroidYMm").asDouble() - toFirst[1];
                double az = l.get("centroidZMm").asDouble() - toFirst[2];
                putXyz(row.putObject("alignedCentroidMm"), ax, ay, az);
                ps.add(new LesionTracker.Point(jobId, l.get("lesionId").asInt(), ax, ay, az));
            }
            s.put("chartIndex", charted.size());
            charted.add(s);
            points.add(ps);
        }

        List<int[]> trackIds = LesionTracker.track(points);
        int trackCount = 0;
        for (int[] t : trackIds) for (int id : t) trackCount = Math.max(trackCount, id);

        // the chart series: one value (or null) per charted study and track
        int n = charted.size();
        Double[][][] values = new Double[METRICS.size()][trackCount][n];
        double[] totalVolume = new double[n];
        ArrayNode labels = HistoryStore.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            ObjectNode s = charted.get(i);
            labels.add(dateLabel(s.get("studyDate").asText(), i));
            ArrayNode lesions = (ArrayNode) s.get("lesions");
            for (int k = 0; k < lesions.size(); k++) {
                ObjectNode l = (ObjectNode) lesions.get(k);
                int track = trackIds.get(i)[k];
                l.put("track", track);
                for (int m = 0; m < METRICS.size(); m++) {
                    JsonNode v = l.get(METRICS.get(m));
                    values[m][track - 1][i] = v == null || v.isNull() ? null : v.asDouble();
                }
                totalVolume[i] += l.get("volumeMm3").asDouble();
            }
            ObjectNode total = s.putObject("total");
            total.put("volumeMm3", totalVolume[i]);
            total.put("lesionCount", lesions.size());
            if (i > 0) total.set("sincePrevious", change(totalVolume[i - 1], totalVolume[i]));
            if (i > 0) total.set("sinceFirst", change(totalVolume[0], totalVolume[i]));
        }
        // per lesion: change of each metric since the track's previous and first appearance
        for (int i = 0; i < n; i++) {
            ArrayNode lesions = (ArrayNode) charted.get(i).get("lesions");
            for (JsonNode ln : lesions) {
                ObjectNode l = (ObjectNode) ln;
                int t = l.get("track").asInt() - 1;
                ObjectNode changes = l.putObject("change");
                for (int m = 0; m < METRICS.size(); m++) {
                    Double[] series = values[m][t];
                    Double first = null;
                    Double previous = null;
                    for (int k = 0; k < i; k++) {
                        if (series[k] == null) continue;
                        if (first == null) first = series[k];
                        previous = series[k];
                    }
                    if (previous == null || series[i] == null) continue;
                    ObjectNode c = changes.putObject(METRICS.get(m));
                    c.set("sincePrevious", change(previous, series[i]));
                    c.set("sinceFirst", change(first, series[i]));
                }
            }
        }

        out.set("response", response(charted, trackIds));

        ObjectNode chart = out.putObject("chart");
        chart.set("labels", labels);
        ArrayNode chartJobs = chart.putArray("jobIds");
        for (ObjectNode s : charted) chartJobs.add(s.get("chartedJobId").asLong());
        ArrayNode total = chart.putArray("totalVolumeMm3");
        for (double v : totalVolume) total.add(v);
        ArrayNode tracks = chart.putArray("tracks");
        for (int t = 0; t < trackCount; t++) {
            ObjectNode tr = tracks.addObject();
            tr.put("track", t + 1);
            for (int m = 0; m < METRICS.size(); m++) {
                ArrayNode a = tr.putArray(METRICS.get(m));
                for (Double v : values[m][t]) {
                    if (v == null) a.addNull();
                    else a.add(v);
                }
            }
        }
        ArrayNode studyArray = out.putArray("studies");
        studies.values().forEach(studyArray::add);
        return Optional.of(out);
    }

    /**
     * The computed treatment response ({@link ResponseAssessment}): the rule and the target lesions at the top, one
     * {@code response} per charted study and {@code target} (true/false) on each of its lesions.
     */
    private static ObjectNode response(List<ObjectNode> charted, List<int[]> trackIds) {
        List<List<ResponseAssessment.Lesion>> input = new ArrayList<>();
        for (int i = 0; i < charted.size(); i++) {
            List<ResponseAssessment.Lesion> lesions = new ArrayList<>();
            ArrayNode rows = (ArrayNode) charted.get(i).get("lesions");
            for (int k = 0; k < rows.size(); k++) {
                JsonNode d = rows.get(k).get("longestDiameterMm");
                lesions.add(new ResponseAssessment.Lesion(trackIds.get(i)[k], d == null || d.isNull() ? 0 : d.asDouble()));
            }
            input.add(lesions);
        }
        ResponseAssessment.Result result = ResponseAssessment.assess(input);
        ObjectNode out = HistoryStore.JSON.createObjectNode();
        out.put("rule", "RECIST 1.1-style, computed, for review by a radiologist");
        out.put("measurableMinMm", ResponseAssessment.MEASURABLE_MM);
        out.put("maxTargets", ResponseAssessment.MAX_TARGETS);
        out.put("partialResponseDecreasePercent", ResponseAssessment.PR_DECREASE_PERCENT);
        out.put("progressionIncreasePercent", ResponseAssessment.PD_INCREASE_PERCENT);
        out.put("progressionIncreaseMinMm", ResponseAssessment.PD_INCREASE_MIN_MM);
        out.put("newLesionMinMm", ResponseAssessment.NEW_LESION_MM);
        if (charted.isEmpty()) out.putNull("baselineStudyUid");
        else out.put("baselineStudyUid", charted.get(0).get("studyUid").asText());
        ArrayNode targets = out.putArray("targets");
        for (ResponseAssessment.Lesion t : result.targets()) {
            ObjectNode o = targets.addObject();
            o.put("track", t.track());
            o.put("baselineDiameterMm", t.longestDiameterMm());
        }
        for (int i = 0; i < charted.size(); i++) {
            ObjectNode s = charted.get(i);
            for (JsonNode l : s.get("lesions")) ((ObjectNode) l).put("target", result.isTarget(l.get("track").asInt()));
            ResponseAssessment.StudyResponse r = result.studies().get(i);
            ObjectNode o = s.putObject("response");
            o.put("baseline", r.baseline());
            if (r.category() == null) o.putNull("category");
            else o.put("category", r.category().name());
            o.put("reason", r.reason());
            o.put("sumMm", r.sumMm());
            o.put("baselineSumMm", r.baselineSumMm());
            o.put("nadirSumMm", r.nadirMm());
            if (!r.baseline()) {
                o.set("sinceBaseline", change(r.baselineSumMm(), r.sumMm()));
                o.set("sinceNadir", change(r.nadirMm(), r.sumMm()));
            }
            ArrayNode news = o.putArray("newLesions");
            for (int track : r.newTracks()) {
                for (JsonNode l : s.get("lesions")) {
                    if (l.get("track").asInt() != track) continue;
                    ObjectNode n = news.addObject();
                    n.put("track", track);
                    n.set("longestDiameterMm", l.get("longestDiameterMm"));
                }
            }
            ArrayNode missing = o.putArray("missingTargets");
            r.missingTargets().forEach(missing::add);
        }
        return out;
    }

    private static void putXyz(ObjectNode o, double x, double y, double z) {
        o.put("x", x);
        o.put("y", y);
        o.put("z", z);
    }

    private static double[] xyz(JsonNode o) {
        return new double[] {o.get("x").asDouble(), o.get("y").asDouble(), o.get("z").asDouble()};
    }

    /** Difference and percentage from one value to another; percent is null when the baseline is 0. */
    static ObjectNode change(double from, double to) {
        ObjectNode c = HistoryStore.JSON.createObjectNode();
        c.put("from", from);
        c.put("to", to);
        c.put("delta", to - from);
        if (from == 0) c.putNull("percent");
        else c.put("percent", (to - from) / Math.abs(from) * 100.0);
        return c;
    }

    /** {@code YYYY-MM-DD} for a DICOM DA; anything else (empty, malformed) becomes "#n" so the chart axis shows no raw DICOM text. */
    static String dateLabel(String da, int index) {
        if (da != null && da.matches("\\d{8}")) return da.substring(0, 4) + "-" + da.substring(4, 6) + "-" + da.substring(6, 8);
        return "#" + (index + 1);
    }
}
