package org.ctai.scp.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Node;
import org.ctai.scp.TestNodes;
import org.ctai.viewer.PasswordHasher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STOW-RS into a real node (PS3.18 10.5): a series posted as multipart/related is stored like a C-STORE series and
 * processed once the request ends; a bad part gets a failed entry while the good ones are stored; without a sender's
 * credentials nothing is taken.
 */
class StowReceiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SENDER = "pacs";
    private static final String SENDER_PASSWORD = "stow secret for tests";
    /** Modality Performed Procedure Step: not a storage SOP class, so refused (every storage SOP class is accepted). */
    private static final String NOT_STORAGE = "1.2.840.10008.3.1.2.3.3";

    @TempDir
    Path tmp;

    private Node node;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private Node start(String... more) {
        List<String> o = new ArrayList<>(List.of("--web.users=" + TestNodes.WEB_USER + ":admin:"
                + PasswordHasher.hash(TestNodes.WEB_PASSWORD.toCharArray(), 1000) + "," + SENDER + ":sender:"
                + PasswordHasher.hash(SENDER_PASSWORD.toCharArray(), 1000)));
        o.addAll(List.of(more));
        node = TestNodes.start(tmp.resolve("data"), o.toArray(String[]::new));
        return node;
    }

    /** A part: its content type and bytes. */
    private record Part(String type, byte[] bytes) { }

    private static Part dicom(Path file) throws Exception {
        return new Part("application/dicom", Files.readAllBytes(file));
    }

    private HttpResponse<String> post(String path, List<Part> parts, String user, String password) throws Exception {
        String boundary = "ctai-test-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Part p : parts) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: " + p.type() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(p.bytes());
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder rq = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.webPort() + path))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (user != null) {
            rq.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } else if (password != null) {
            rq.header("Authorization", "Bearer " + password);
        }
        return http.send(rq.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long count(String sql, Object... args) {
        return TestNodes.count(node.dataSource(), sql, args);
    }

    @Test
    void seriesPostedByStowIsStoredAndProcessedOnceTheRequestEnds() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 12, 64);
        List<Part> parts = new ArrayList<>();
        for (Path f : s.files()) parts.add(dicom(f));
        HttpResponse<String> r = post("/dicomweb/studies", parts, SENDER, SENDER_PASSWORD);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/dicom+json");
        JsonNode referenced = JSON.readTree(r.body()).path("00081199").path("Value");
        assertThat(referenced).hasSize(12);
        assertThat(referenced.get(0).path("00081150").path("Value").get(0).asText()).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(referenced.get(0).path("00081190").path("Value").get(0).asText()).contains("/dicomweb/studies/").contains("/instances/");
        assertThat(JSON.readTree(r.body()).has("00081198")).isFalse();
        assertThat(count("SELECT count(*) FROM scp.instance i JOIN scp.series s ON s.id = i.series_id WHERE s.series_uid = ?", s.seriesUid()))
                .isEqualTo(12);
        // the end of the request counts as a release: done well before the 30 s quiet period
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT result->>'instances' FROM scp.job")).containsExactly("12");

        // posting the same instances again changes nothing: identical resends are no-ops
        HttpResponse<String> again = post("/dicomweb/studies", parts.subList(0, 2), SENDER, SENDER_PASSWORD);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(12);
    }

    @Test
    void badPartsGetFailedEntriesWhileTheGoodOnesAreStored() throws Exception {
        start();
        CtSeriesWriter.Series ct = CtSeriesWriter.write(tmp.resolve("ct"), 2, 32);
        CtSeriesWriter.Series mr = CtSeriesWriter.write(tmp.resolve("mr"), 1, 32, NOT_STORAGE, "MR");
        HttpResponse<String> r = post("/dicomweb/studies", List.of(dicom(ct.files().get(0)),
                new Part("application/dicom", "this is not DICOM".getBytes(StandardCharsets.US_ASCII)),
                dicom(mr.files().get(0)), new Part("text/plain", "hello".getBytes(StandardCharsets.US_ASCII)), dicom(ct.files().get(1))),
                SENDER, SENDER_PASSWORD);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("00081199").path("Value")).hasSize(2);
        List<Integer> reasons = new ArrayList<>();
        body.path("00081198").path("Value").forEach(f -> reasons.add(f.path("00081197").path("Value").get(0).asInt()));
        assertThat(reasons).containsExactly(0xC000, 0x0122, 0xC000);
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(2);
    }

    @Test
    void nothingIsTakenWithoutASendersCredentialsOrWithTheWrongMediaTypeOrStudy() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 1, 32);
        List<Part> parts = List.of(dicom(s.files().get(0)));

        HttpResponse<String> anonymous = post("/dicomweb/studies", parts, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(post("/dicomweb/studies", parts, SENDER, "wrong").statusCode()).isEqualTo(401);
        assertThat(post("/dicomweb/studies", parts, TestNodes.WEB_USER, TestNodes.WEB_PASSWORD).statusCode()).as("an admin is no sender").isEqualTo(403);

        HttpResponse<String> pageLogin = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.webPort() + "/api/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + SENDER + "&password=" + SENDER_PASSWORD.replace(" ", "+"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pageLogin.statusCode()).as("a sender may not open the page").isNotEqualTo(200);
        assertThat(pageLogin.headers().firstValue("Set-Cookie")).isEmpty();

        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.webPort() + "/dicomweb/studies"))
                .header("Content-Type", "application/json").header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString((SENDER + ":" + SENDER_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(415);

        HttpResponse<String> otherStudy = post("/dicomweb/studies/1.2.3.4", parts, SENDER, SENDER_PASSWORD);
        assertThat(otherStudy.statusCode()).as(otherStudy.body()).isEqualTo(409);
        assertThat(JSON.readTree(otherStudy.body()).path("00081198").path("Value").get(0).path("00081197").path("Value").get(0).asInt())
                .isEqualTo(0xA900);
        assertThat(count("SELECT count(*) FROM scp.instance")).isZero();

        HttpResponse<String> sameStudy = post("/dicomweb/studies/" + studyOf(s.files().get(0)), parts, SENDER, SENDER_PASSWORD);
        assertThat(sameStudy.statusCode()).as(sameStudy.body()).isEqualTo(200);
        // a password remembered after success (STOW clients resend it with every request) is not a wildcard
        assertThat(post("/dicomweb/studies", parts, SENDER, SENDER_PASSWORD + "x").statusCode()).isEqualTo(401);
        assertThat(post("/dicomweb/studies", parts, SENDER, SENDER_PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void aSendersPasswordServesAsBearerTokenAndNothingElseDoes() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 1, 32);
        List<Part> parts = List.of(dicom(s.files().get(0)));
        assertThat(post("/dicomweb/studies", parts, null, "not the token").statusCode()).isEqualTo(401);
        assertThat(post("/dicomweb/studies", parts, null, TestNodes.WEB_PASSWORD).statusCode()).as("an admin's password is no token").isEqualTo(401);
        HttpResponse<String> ok = post("/dicomweb/studies", parts, null, SENDER_PASSWORD);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(1);
    }

    @Test
    void curlPostsASeriesWithExpectContinue() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 8, 256);
        Path body = tmp.resolve("body.multipart");
        try (var out = Files.newOutputStream(body)) {
            for (Path f : s.files()) {
                out.write("--XyZ\r\nContent-Type: application/dicom\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(Files.readAllBytes(f));
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("--XyZ--\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        // curl sends "Expect: 100-continue" for a body this size and waits for the interim answer
        Process curl = new ProcessBuilder("curl", "-sS", "-w", "\n%{http_code} %{time_total}", "-u", SENDER + ":" + SENDER_PASSWORD,
                "-H", "Expect: 100-continue", "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=XyZ",
                "--data-binary", "@" + body, "http://127.0.0.1:" + node.webPort() + "/dicomweb/studies").redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).as(out).isZero();
        String[] last = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        assertThat(last[0]).as(out).isEqualTo("200");
        assertThat(Double.parseDouble(last[1])).as("no wait for a 100 Continue that never comes").isLessThan(0.9);
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(8);
    }

    @Test
    void requestsAboveTheLimitAreRefused() throws Exception {
        start("--web.stow-max-mb=1");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 512);
        List<Part> parts = new ArrayList<>();
        for (Path f : s.files()) parts.add(dicom(f));
        assertThat(post("/dicomweb/studies", parts, SENDER, SENDER_PASSWORD).statusCode()).isEqualTo(413);
        assertThat(count("SELECT count(*) FROM scp.instance")).isZero();
    }

    private static String studyOf(Path file) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(file.toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
    }
}
