package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Results sent by STOW-RS to a real DICOMweb server: Orthanc with its DICOMweb plugin and HTTP Basic. The node is
 * given the credentials through its environment only, and they appear nowhere in its log.
 */
class StowSendOrthancTest extends NodeWithOrthancTest {
    private static final String USER = "ctai";
    private static final String PASSWORD = "stow-rs secret 7f3a";

    private HttpServer refusing;

    @AfterEach
    void closeTheRest() throws Exception {
        if (refusing != null) refusing.stop(0);
    }

    private PhantomFiles phantom(long seed) throws Exception {
        return PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(seed).withSlices(10).withSize(256).withTumours(1)),
                tmp.resolve("phantom"));
    }

    private static String studyUid(PhantomFiles files) throws Exception {
        com.pixelmed.dicom.AttributeList l = new com.pixelmed.dicom.AttributeList();
        l.read(files.images().get(0).toFile(), com.pixelmed.dicom.TagFromName.PixelData);
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(l, com.pixelmed.dicom.TagFromName.StudyInstanceUID);
    }

    @Test
    void resultsPostedWhileOrthancIsDownAreRetriedAndArriveWithBasicAuthAndNoSecretInTheLog() throws Exception {
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", NodeProcess.freePort());
        String dicomWeb = pacs.useDicomWebServer(USER, PASSWORD);
        try (LogCapture log = new LogCapture()) {
            node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), Map.of("ORTHANC_STOW", USER + ":" + PASSWORD),
                    "--send.destinations=dicomweb:" + dicomWeb + ";auth=basic:ORTHANC_STOW",
                    "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=1", "--send.connect-timeout-seconds=2", "--send.max-attempts=1000"));
            PhantomFiles files = phantom(9731);
            String study = studyUid(files);
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();

            // Orthanc is not running yet: the delivery fails on the network and waits for its next attempt
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox WHERE attempts >= 2 AND state <> 'dead'") == 1);
            assertThat(TestNodes.strings(node.dataSource(), "SELECT last_error FROM scp.outbox").get(0)).contains("/dicom-web/studies failed");

            pacs.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> TestNodes.strings(node.dataSource(), "SELECT state FROM scp.outbox").equals(java.util.List.of("sent")));
            assertThat(pacs.instances(study, "SEG")).hasSize(1);
            assertThat(pacs.instances(study, "SR")).hasSize(1);
            assertThat(TestNodes.strings(node.dataSource(), "SELECT destination FROM scp.outbox")).containsExactly("dicomweb:" + dicomWeb);

            String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(log.text()).contains("3 objects sent to dicomweb:" + dicomWeb).doesNotContain(PASSWORD).doesNotContain(basic);
        }
    }

    @Test
    void refusalsAreDeadAtOnceWithTheServersReason() throws Exception {
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", NodeProcess.freePort());
        String dicomWeb = pacs.useDicomWebServer(USER, PASSWORD);
        pacs.start();
        // a real HTTP server that answers every STOW-RS request as Orthanc answers a request it cannot parse
        refusing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        refusing.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
            byte[] body = """
                    {
                       "Details" : "The multipart body names no study in its parts",
                       "HttpError" : "Bad Request",
                       "HttpStatus" : 400,
                       "Message" : "Bad request",
                       "Method" : "POST",
                       "OrthancError" : "Bad request",
                       "OrthancStatus" : 8,
                       "Uri" : "/dicom-web/studies"
                    }
                    """.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        refusing.start();
        String refusingUrl = "http://127.0.0.1:" + refusing.getAddress().getPort() + "/dicom-web";

        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), Map.of("WRONG", USER + ":not the password"),
                "--send.destinations=dicomweb:" + dicomWeb + ";auth=basic:WRONG, dicomweb:" + refusingUrl,
                "--send.backoff-seconds=0.5", "--send.max-attempts=5"));
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), phantom(9732).images()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox WHERE state = 'dead'") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT attempts::text FROM scp.outbox")).containsOnly("1");
        assertThat(TestNodes.strings(node.dataSource(), "SELECT last_error FROM scp.outbox WHERE destination = ?", "dicomweb:" + refusingUrl).get(0))
                .contains("answered HTTP 400: Bad request: The multipart body names no study in its parts");
        assertThat(TestNodes.strings(node.dataSource(), "SELECT last_error FROM scp.outbox WHERE destination = ?", "dicomweb:" + dicomWeb).get(0))
                .contains("answered HTTP 401").contains("check the destination's ;auth=");
    }
}
