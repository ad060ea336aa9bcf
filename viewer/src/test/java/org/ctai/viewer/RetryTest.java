package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Retrying from the web page: admins only, POST with the CSRF token, the same rows scp itself writes. */
class RetryTest extends LoggedInServerTest {
    @Test
    void viewerCannotRetry() throws Exception {
        HttpResponse<String> r = viewer.post("/api/jobs/" + clinic.deadJob + "/retry", null, "", "X-CSRF-Token", viewer.csrf);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(clinic.jobState(clinic.deadJob)).isEqualTo("dead");
    }

    @Test
    void retryNeedsTheCsrfTokenAndASameOriginPost() throws Exception {
        assertThat(admin.post("/api/jobs/" + clinic.deadJob + "/retry", null, "").statusCode()).isEqualTo(403);
        assertThat(admin.post("/api/jobs/" + clinic.deadJob + "/retry", null, "", "X-CSRF-Token", "forged").statusCode()).isEqualTo(403);
        assertThat(admin.post("/api/jobs/" + clinic.deadJob + "/retry", null, "", "X-CSRF-Token", viewer.csrf).statusCode()).isEqualTo(403);
        assertThat(admin.post("/api/jobs/" + clinic.deadJob + "/retry", null, "", "X-CSRF-Token", admin.csrf, "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(admin.post("/api/jobs/" + clinic.deadJob + "/retry", null, "", "X-CSRF-Token", admin.csrf, "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
        // no state change on GET
        assertThat(admin.get("/api/jobs/" + clinic.deadJob + "/retry").statusCode()).isEqualTo(404);
        assertThat(clinic.jobState(clinic.deadJob)).isEqualTo("dead");
    }

    @Test
    void adminRetriesAFailedJobLikeScpWould() throws Exception {
        HttpResponse<String> r = admin.post("/api/jobs/" + clinic.failedJob + "/retry", null, "", "X-CSRF-Token", admin.csrf,
                "Origin", "http://127.0.0.1:" + server.port());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Http.json(r).get("jobRequeued").asBoolean()).isTrue();
        assertThat(clinic.jobState(clinic.failedJob)).isEqualTo("queued");
        assertThat(clinic.text("SELECT last_error FROM scp.job WHERE id = ?", clinic.failedJob)).isNull();
        assertThat(clinic.text("SELECT attempts::text FROM scp.job WHERE id = ?", clinic.failedJob)).isEqualTo("0");
        assertThat(clinic.text("SELECT from_state || '>' || to_state || ' ' || owner || ' ' || reason FROM scp.job_event WHERE job_id = ? ORDER BY id DESC LIMIT 1",
                clinic.failedJob)).isEqualTo("failed>queued web:alice " + Requeue.REASON);
        // a second retry has nothing left to do
        assertThat(admin.post("/api/jobs/" + clinic.failedJob + "/retry", null, "", "X-CSRF-Token", admin.csrf).statusCode()).isEqualTo(409);
    }

    @Test
    void adminResendsADeadDelivery() throws Exception {
        HttpResponse<String> r = admin.post("/api/jobs/" + clinic.undeliveredJob + "/retry", null, "", "X-CSRF-Token", admin.csrf);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Http.json(r).get("deliveriesRequeued").asInt()).isEqualTo(1);
        assertThat(Http.json(r).get("jobRequeued").asBoolean()).isFalse();
        assertThat(clinic.jobState(clinic.undeliveredJob)).isEqualTo("done");
        assertThat(clinic.text("SELECT state || ' ' || attempts FROM scp.outbox WHERE job_id = ?", clinic.undeliveredJob)).isEqualTo("pending 0");
        assertThat(clinic.text("SELECT e.to_state || ' ' || e.owner FROM scp.outbox_event e JOIN scp.outbox o ON o.id = e.outbox_id WHERE o.job_id = ? ORDER BY e.id DESC LIMIT 1",
                clinic.undeliveredJob)).isEqualTo("pending web:alice");
        assertThat(admin.post("/api/jobs/" + clinic.janeJobs.get(0) + "/retry", null, "", "X-CSRF-Token", admin.csrf).statusCode()).isEqualTo(409);
        assertThat(admin.post("/api/jobs/424242/retry", null, "", "X-CSRF-Token", admin.csrf).statusCode()).isEqualTo(409);
    }
}
