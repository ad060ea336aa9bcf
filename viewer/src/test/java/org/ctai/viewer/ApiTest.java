package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON API over a real database with scp's real migrations, through a real server over loopback. */
class ApiTest extends LoggedInServerTest {
    private static String patientQuery(SyntheticHistory.Patient p) {
        return "/api/patient?id=" + URLEncoder.encode(p.id(), StandardCharsets.UTF_8) + "&issuer=" + URLEncoder.encode(p.issuer(), StandardCharsets.UTF_8);
    }

    @Test
    void unauthenticatedApiRequestsGet401AndPagesRedirectToLogin() throws Exception {
        Http anonymous = new Http(server.port());
        for (String path : List.of("/api/worklist", "/api/me", patientQuery(Clinic.JANE), "/api/jobs/" + clinic.janeJobs.get(0),
                "/api/jobs/" + clinic.janeJobs.get(0) + "/overlays/20", "/api/jobs/" + clinic.janeJobs.get(0) + "/files/seg")) {
            HttpResponse<String> r = anonymous.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(Http.json(r).get("error").asText()).isEqualTo("login required");
        }
        HttpResponse<String> page = anonymous.get("/patient?id=P-1001&issuer=HOSP");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue("/login?next=" + URLEncoder.encode("/patient?id=P-1001&issuer=HOSP", StandardCharsets.UTF_8));
        assertThat(anonymous.get("/").headers().firstValue("Location")).hasValue("/login?next=%2F");
        assertThat(anonymous.post("/api/jobs/" + clinic.failedJob + "/retry", null, "").statusCode()).isEqualTo(401);
        assertThat(clinic.jobState(clinic.failedJob)).isEqualTo("failed");
        assertThat(anonymous.get("/login").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/static/login.js").statusCode()).isEqualTo(200);
    }

    @Test
    void healthAndMetricsArePublicByDefault() throws Exception {
        Http anonymous = new Http(server.port());
        HttpResponse<String> h = anonymous.get("/healthz");
        assertThat(h.statusCode()).isEqualTo(200);
        JsonNode health = Http.json(h);
        assertThat(health.get("status").asText()).isEqualTo("up");
        assertThat(health.get("database").get("up").asBoolean()).isTrue();
        assertThat(health.get("queueDepth").asLong()).isEqualTo(1);
        assertThat(health.get("modelLoaded").asBoolean()).isTrue();
        assertThat(health.get("provider").asText()).isEqualTo("CPU");

        HttpResponse<String> m = anonymous.get("/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(m.body()).contains("ctai_jobs{state=\"failed\"} 1.0", "ctai_jobs{state=\"dead\"} 1.0", "ctai_jobs{state=\"running\"} 1.0",
                "ctai_queue_depth 1.0", "ctai_instances_received_total 3.0", "ctai_series_completed_total 9.0",
                "ctai_send_failures_total 1.0", "ctai_deliveries{state=\"dead\"} 1.0", "ctai_model_loaded 1.0", "ctai_database_up 1.0");
        // 5 done jobs, 420 + 5800 + 310 ms each
        assertThat(m.body()).contains("ctai_inference_seconds_count 5", "ctai_inference_seconds_sum 32.65");
    }

    @Test
    void meNamesUserRoleAndCsrfToken() throws Exception {
        JsonNode me = Http.json(viewer.get("/api/me"));
        assertThat(me.get("user").asText()).isEqualTo(TestServers.VIEWER);
        assertThat(me.get("role").asText()).isEqualTo("viewer");
        assertThat(me.get("csrfToken").asText()).isEqualTo(viewer.csrf).hasSizeGreaterThan(30);
    }

    @Test
    void worklistListsNewestFirstWithStatesReasonsAndDeliveries() throws Exception {
        JsonNode w = Http.json(admin.get("/api/worklist"));
        JsonNode rows = w.get("rows");
        assertThat(rows).hasSize(10);
        assertThat(w.get("active").asBoolean()).isTrue(); // running, queued and receiving work
        List<String> sortKeys = new ArrayList<>();
        for (JsonNode r : rows) sortKeys.add(r.get("sortAt").asText());
        assertThat(sortKeys).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(rows.get(0).get("state").asText()).isEqualTo("receiving");
        assertThat(rows.get(0).get("instances").asInt()).isEqualTo(3);
        JsonNode failed = row(rows, clinic.failedJob);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("lastError").asText()).isEqualTo(Clinic.FAILED_REASON);
        assertThat(row(rows, clinic.deadJob).get("lastError").asText()).isEqualTo(Clinic.DEAD_REASON);
        JsonNode undelivered = row(rows, clinic.undeliveredJob);
        assertThat(undelivered.get("deliveriesDead").asInt()).isEqualTo(1);
        assertThat(undelivered.get("deliveryError").asText()).isEqualTo(Clinic.DELIVERY_ERROR);
        JsonNode running = row(rows, clinic.runningJob);
        assertThat(running.get("startedAt").asText()).isNotEmpty();
        JsonNode done = row(rows, clinic.janeJobs.get(0));
        assertThat(done.get("lesionCount").asInt()).isEqualTo(2);
        assertThat(done.get("deliveriesSent").asInt()).isEqualTo(1);
        assertThat(done.get("inferredAt").asText()).isNotEmpty();
    }

    @Test
    void worklistFiltersByPatientAndState() throws Exception {
        JsonNode byName = Http.json(admin.get("/api/worklist?patient=doe")).get("rows");
        assertThat(byName).hasSize(3).allSatisfy(r -> assertThat(r.get("patientId").asText()).isEqualTo("P-1001"));
        assertThat(Http.json(admin.get("/api/worklist?patient=P-3003")).get("rows")).hasSize(2);
        JsonNode failed = Http.json(admin.get("/api/worklist?state=failed")).get("rows");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("jobId").asLong()).isEqualTo(clinic.failedJob);
        assertThat(Http.json(admin.get("/api/worklist?state=undelivered")).get("rows")).hasSize(1);
        assertThat(Http.json(admin.get("/api/worklist?state=receiving")).get("rows")).hasSize(1);
        HttpResponse<String> bad = admin.get("/api/worklist?state=drop%20table");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.json(bad).get("error").asText()).contains("state must be one of");
        assertThat(admin.get("/api/worklist?limit=abc").statusCode()).isEqualTo(400);
    }

    @Test
    void patientHistoryTracksTheShrinkingLesionAcrossThreeStudies() throws Exception {
        HttpResponse<String> r = admin.get(patientQuery(Clinic.JANE));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode h = Http.json(r);
        assertThat(h.get("patientName").asText()).isEqualTo("DOE^JANE");
        assertThat(h.get("studies")).hasSize(3);
        assertThat(List.of(h.get("studies").get(0).get("studyDate").asText(), h.get("studies").get(1).get("studyDate").asText(),
                h.get("studies").get(2).get("studyDate").asText())).containsExactly("20240110", "20240410", "20240710");
        JsonNode chart = h.get("chart");
        assertThat(chart.get("labels")).hasSize(3);
        assertThat(chart.get("labels").get(0).asText()).isEqualTo("2024-01-10");
        assertThat(chart.get("tracks")).hasSize(2); // two lesions, matched in every study
        JsonNode first = chart.get("tracks").get(0);
        assertThat(first.get("volumeMm3")).extracting(JsonNode::asDouble).containsExactly(12000.0, 8000.0, 5000.0);
        assertThat(first.get("largestAreaMm2")).hasSize(3);
        assertThat(first.get("perimeterMm").get(0).asDouble()).isCloseTo(84.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(first.get("meanHu")).extracting(JsonNode::asDouble).containsExactly(46.0, 45.0, 44.0);
        assertThat(chart.get("totalVolumeMm3")).extracting(JsonNode::asDouble).containsExactly(14000.0, 9800.0, 6500.0);

        JsonNode last = h.get("studies").get(2);
        JsonNode lesion1 = last.get("lesions").get(0);
        assertThat(lesion1.get("track").asInt()).isEqualTo(1);
        assertThat(lesion1.get("volumeMl").asDouble()).isEqualTo(5.0);
        JsonNode vol = lesion1.get("change").get("volumeMm3");
        assertThat(vol.get("sincePrevious").get("delta").asDouble()).isEqualTo(-3000.0);
        assertThat(vol.get("sincePrevious").get("percent").asDouble()).isCloseTo(-37.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(vol.get("sinceFirst").get("percent").asDouble()).isCloseTo(-58.333, org.assertj.core.data.Offset.offset(0.001));
        assertThat(last.get("total").get("sinceFirst").get("delta").asDouble()).isEqualTo(-7500.0);
        assertThat(h.get("matching").get("maxDistanceMm").asDouble()).isEqualTo(LesionTracker.MAX_DISTANCE_MM);

        assertThat(admin.get("/api/patient?id=NOBODY&issuer=").statusCode()).isEqualTo(404);
        assertThat(admin.get("/api/patient").statusCode()).isEqualTo(400);
    }

    @Test
    void patientHistoryCarriesTheComputedResponseAgainstBaselineAndNadir() throws Exception {
        JsonNode h = Http.json(admin.get(patientQuery(Clinic.JANE)));
        JsonNode response = h.get("response");
        assertThat(response.get("rule").asText()).contains("computed, for review by a radiologist");
        assertThat(response.get("baselineStudyUid").asText()).isEqualTo("1.2.3.1000");
        // both lesions are measurable at baseline (28.3 and 15.2 mm), the larger first
        assertThat(response.get("targets")).extracting(t -> t.get("track").asInt()).containsExactly(1, 2);
        JsonNode baseline = h.get("studies").get(0).get("response");
        assertThat(baseline.get("baseline").asBoolean()).isTrue();
        assertThat(baseline.get("category").isNull()).isTrue();
        double baselineSum = baseline.get("sumMm").asDouble();
        JsonNode last = h.get("studies").get(2).get("response");
        // 43.5 -> 31.4 mm: -27.7 %, short of the 30 % of a partial response
        assertThat(last.get("category").asText()).isEqualTo("SD");
        assertThat(last.get("baselineSumMm").asDouble()).isEqualTo(baselineSum);
        assertThat(last.get("nadirSumMm").asDouble()).isEqualTo(h.get("studies").get(1).get("response").get("sumMm").asDouble());
        assertThat(last.get("sinceBaseline").get("percent").asDouble()).isCloseTo(-27.7, org.assertj.core.data.Offset.offset(0.05));
        assertThat(last.get("newLesions")).isEmpty();
        assertThat(h.get("studies").get(2).get("lesions")).allSatisfy(l -> assertThat(l.get("target").asBoolean()).isTrue());
    }

    @Test
    void patientLesionsCarryTheShortAxisOfTheStoredMeasurementsAsShortAxisMm() throws Exception {
        // scp stores the inference Lesion record as the measurements JSON; its shortAxisMm comes through
        long latest = clinic.janeJobs.get(2);
        clinic.execute("UPDATE scp.lesion SET measurements = jsonb_set(measurements, '{shortAxisMm}', '31.25') WHERE job_id = ? AND lesion_id = 1", latest);
        JsonNode lesions = Http.json(admin.get(patientQuery(Clinic.JANE))).get("studies").get(2).get("lesions");

        assertThat(lesions.get(0).get("shortAxisMm").asDouble()).isEqualTo(31.25);
        assertThat(lesions.get(1).get("shortAxisMm").isNull()).as("measured before the short axis existed").isTrue();
    }

    @Test
    void patientHistoryListsFailedStudiesWithoutChartingThem() throws Exception {
        JsonNode h = Http.json(admin.get(patientQuery(Clinic.FAIL)));
        assertThat(h.get("studies")).hasSize(2);
        assertThat(h.get("chart").get("labels")).isEmpty();
        assertThat(h.get("studies").get(0).get("chartedJobId").isNull()).isTrue();
        assertThat(h.get("studies").get(0).get("jobs").get(0).get("lastError").asText()).isEqualTo(Clinic.FAILED_REASON);
    }

    @Test
    void scriptInNameComesBackAsData() throws Exception {
        JsonNode h = Http.json(admin.get(patientQuery(Clinic.SCRIPT)));
        assertThat(h.get("patientName").asText()).isEqualTo("<script>alert(1)</script>");
        assertThat(h.get("studies").get(0).get("studyDescription").asText()).isEqualTo("<img src=x onerror=alert(3)>");
        JsonNode rows = Http.json(admin.get("/api/worklist?patient=script")).get("rows");
        assertThat(rows.get(0).get("patientName").asText()).isEqualTo("<script>alert(1)</script>");
        // the pages are static: no data is ever written into HTML on the server
        HttpResponse<String> page = admin.get("/patient?id=P-2002&issuer=HOSP");
        assertThat(page.body()).doesNotContain("alert(");
    }

    @Test
    void studyHasLesionsWithAllFeaturesOverlaysAndDownloads() throws Exception {
        long job = clinic.janeJobs.get(0);
        JsonNode s = Http.json(admin.get("/api/jobs/" + job));
        assertThat(s.get("job").get("patientName").asText()).isEqualTo("DOE^JANE");
        assertThat(s.get("result").get("modelVersion").asText()).isEqualTo("2024.1");
        assertThat(s.get("result").has("lesions")).isFalse();
        JsonNode lesion = s.get("lesions").get(0).get("measurements");
        JsonNode slice = lesion.get("slices").get(0);
        assertThat(slice.get("texture").size()).isEqualTo(15);
        assertThat(slice.get("hu").get("kurtosis")).isNotNull();
        assertThat(s.get("overlays")).hasSize(4);
        JsonNode overlay = s.get("overlays").get(0);
        assertThat(overlay.get("url").asText()).isEqualTo("/api/jobs/" + job + "/overlays/20");
        assertThat(overlay.get("rows").asInt()).isEqualTo(Clinic.ROWS);
        assertThat(s.get("downloads").findValuesAsText("kind")).containsExactly("seg", "sr");
        assertThat(s.get("deliveries").get(0).get("state").asText()).isEqualTo("sent");
        assertThat(admin.get("/api/jobs/999999").statusCode()).isEqualTo(404);
        assertThat(admin.get("/api/jobs/abc").statusCode()).isEqualTo(404);
    }

    @Test
    void overlayIsTheStoredPng() throws Exception {
        long job = clinic.janeJobs.get(1);
        HttpResponse<byte[]> r = admin.bytes("/api/jobs/" + job + "/overlays/21");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        Path file = clinic.dataDir.resolve(clinic.text("SELECT path FROM scp.overlay_image WHERE job_id = ? AND slice_index = 21", job));
        assertThat(r.body()).isEqualTo(Files.readAllBytes(file));
        var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
        assertThat(image.getWidth()).isEqualTo(Clinic.COLUMNS);
        assertThat(image.getHeight()).isEqualTo(Clinic.ROWS);
        assertThat(admin.bytes("/api/jobs/" + job + "/overlays/99").statusCode()).isEqualTo(404);
    }

    @Test
    void segAndSrDownloadAsDicomAttachments() throws Exception {
        long job = clinic.janeJobs.get(2);
        HttpResponse<byte[]> seg = viewer.bytes("/api/jobs/" + job + "/files/seg");
        assertThat(seg.statusCode()).isEqualTo(200);
        assertThat(seg.headers().firstValue("Content-Type")).hasValue("application/dicom");
        assertThat(seg.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"job-" + job + "-seg.dcm\"");
        assertThat(new String(seg.body(), 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        assertThat(viewer.bytes("/api/jobs/" + job + "/files/sr").statusCode()).isEqualTo(200);
        assertThat(viewer.bytes("/api/jobs/" + job + "/files/overlay").statusCode()).isEqualTo(404);
        clinic.execute("UPDATE scp.result_object SET purged_at = now() WHERE job_id = ? AND kind = 'sr'", job);
        assertThat(viewer.bytes("/api/jobs/" + job + "/files/sr").statusCode()).isEqualTo(404);
    }

    @Test
    void pathTraversalNeverReachesTheFileSystem() throws Exception {
        long job = clinic.scriptJob;
        for (String path : List.of("/api/jobs/" + job + "/overlays/../../../../etc/passwd",
                "/api/jobs/" + job + "/overlays/..%2F..%2F..%2Fetc%2Fpasswd", "/api/jobs/" + job + "/files/..%2Fseg",
                "/static/../WebServer.class", "/static/..%2f..%2forg/ctai/viewer/WebServer.class", "/static/%2e%2e/%2e%2e/etc/passwd",
                "/static/org/ctai/viewer/web/login.html", "/static/", "/webjars/echarts/5.3.1/dist/echarts.min.js")) {
            HttpResponse<byte[]> r = admin.bytes(path);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).as(path).doesNotContain("root:");
        }
        // rows pointing outside data.dir (a tampered database) are refused too
        clinic.execute("INSERT INTO scp.overlay_image (job_id, slice_index, sop_instance_uid, slice_position, path, rows, columns) VALUES (?, 901, '1.2.9', 0, '../../../../../../etc/passwd', 1, 1)", job);
        clinic.execute("INSERT INTO scp.overlay_image (job_id, slice_index, sop_instance_uid, slice_position, path, rows, columns) VALUES (?, 902, '1.2.9', 0, '/etc/passwd', 1, 1)", job);
        Path link = clinic.dataDir.resolve("results").resolve("link.png");
        Files.createSymbolicLink(link, Path.of("/etc/passwd"));
        clinic.execute("INSERT INTO scp.overlay_image (job_id, slice_index, sop_instance_uid, slice_position, path, rows, columns) VALUES (?, 903, '1.2.9', 0, 'results/link.png', 1, 1)", job);
        for (int slice : new int[] {901, 902, 903}) {
            HttpResponse<byte[]> r = admin.bytes("/api/jobs/" + job + "/overlays/" + slice);
            assertThat(r.statusCode()).as("slice " + slice).isEqualTo(404);
            assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).doesNotContain("root:");
        }
    }

    @Test
    void everyResponseCarriesAStrictContentSecurityPolicy() throws Exception {
        for (String path : List.of("/", "/login", "/api/worklist", "/static/worklist.js", "/nowhere")) {
            HttpResponse<String> r = admin.get(path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).as(path).contains("script-src 'self';", "default-src 'none'", "frame-ancestors 'none'").doesNotContain("unsafe-eval");
            assertThat(csp.substring(csp.indexOf("script-src"), csp.indexOf(';', csp.indexOf("script-src")))).doesNotContain("unsafe-inline");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        for (String page : List.of("/", "/patient", "/study", "/login")) {
            assertThat(admin.get(page).body()).as(page).doesNotContainPattern("<script>|<script [^>]*>[^<]+</script>|\\son[a-z]+=");
        }
    }

    @Test
    void languageFollowsAcceptLanguageAndTheSwitchCookie() throws Exception {
        assertThat(admin.get("/", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8").body()).contains("<html lang=\"zh-CN\">");
        assertThat(admin.get("/", "Accept-Language", "de-DE,en;q=0.5").body()).contains("<html lang=\"en\">");
        assertThat(admin.get("/login", "Accept-Language", "en-US,zh;q=0.9").body()).contains("<html lang=\"en\">");
        Http chinese = new Http(server.port());
        chinese.cookie = admin.cookie + "; ctai_lang=zh-CN";
        assertThat(chinese.get("/", "Accept-Language", "en").body()).contains("<html lang=\"zh-CN\">");
        chinese.cookie = admin.cookie + "; ctai_lang=<script>";
        assertThat(chinese.get("/", "Accept-Language", "en").body()).contains("<html lang=\"en\">");
    }

    @Test
    void staticFilesAndEchartsAreServedWithValidators() throws Exception {
        HttpResponse<String> e = admin.get("/static/echarts.min.js");
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(e.body()).contains("echarts");
        String etag = e.headers().firstValue("ETag").orElseThrow();
        assertThat(admin.get("/static/echarts.min.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(admin.get("/static/nothing.js").statusCode()).isEqualTo(404);
    }

    @Test
    void otherMethodsAreRefused() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/worklist"))
                .header("Cookie", admin.cookie).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }

    private static JsonNode row(JsonNode rows, long jobId) {
        for (JsonNode r : rows) if (r.get("jobId").asLong() == jobId) return r;
        throw new AssertionError("no worklist row for job " + jobId);
    }
}
