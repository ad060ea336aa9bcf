package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's own web page serves what its pipeline wrote: rows, lesions, overlay PNGs, SEG and SR. */
class WebPageOnPipelineDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    @Test
    void apiAndImagesShowTheMeasurementsTheWorkerRecorded() throws Exception {
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase()));
        PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9901).withSlices(8).withSize(256).withTumours(1)
                .withPatient("Web^Test", "WEB-1")), tmp.resolve("phantom"));
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);

        String base = "http://127.0.0.1:" + node.webPort();
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/api/worklist")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        String form = "user=" + TestNodes.WEB_USER + "&password=" + URLEncoder.encode(TestNodes.WEB_PASSWORD, StandardCharsets.UTF_8);
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);

        JsonNode worklist = JSON.readTree(get(http, base + "/api/worklist").body());
        JsonNode row = worklist.get("rows").get(0);
        assertThat(row.get("patientName").asText()).isEqualTo("Web^Test");
        assertThat(row.get("state").asText()).isEqualTo("done");
        long jobId = row.get("jobId").asLong();

        JsonNode job = JSON.readTree(get(http, base + "/api/jobs/" + jobId).body());
        double dbVolume = Double.parseDouble(TestNodes.strings(node.dataSource(), "SELECT volume_mm3::text FROM scp.lesion WHERE lesion_id = 1").get(0));
        assertThat(job.get("lesions").get(0).get("volumeMm3").asDouble()).isEqualTo(dbVolume);
        JsonNode overlay = job.get("overlays").get(0);
        HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(base + overlay.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        var image = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertThat(image.getWidth()).isEqualTo(256);
        assertThat(image.getHeight()).isEqualTo(256);
        HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create(base + "/api/jobs/" + jobId + "/files/seg")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(seg.statusCode()).isEqualTo(200);
        assertThat(new String(seg.body(), 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");

        JsonNode patient = JSON.readTree(get(http, base + "/api/patient?id=WEB-1&issuer=").body());
        assertThat(patient.get("patientName").asText()).isEqualTo("Web^Test");
        assertThat(patient.get("studies")).hasSize(1);
        assertThat(patient.get("chart").get("totalVolumeMm3").get(0).asDouble())
                .isEqualTo(Double.parseDouble(TestNodes.strings(node.dataSource(), "SELECT sum(volume_mm3)::text FROM scp.lesion").get(0)));

        JsonNode health = JSON.readTree(get(http, base + "/healthz").body());
        assertThat(health.get("modelLoaded").asBoolean()).isTrue();
        assertThat(health.get("provider").asText()).isEqualTo("CPU");
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r;
    }
}
