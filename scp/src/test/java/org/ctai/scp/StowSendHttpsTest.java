package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.scp.tls.PemFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STOW-RS over HTTPS to a real TLS server (the JDK's HttpsServer on loopback with a certificate of the test CA): the
 * server's certificate is checked against the destination's {@code ;trusted=} bundle, a bearer token from the
 * environment is presented, and a PS3.18 answer naming a failed instance makes the whole request go again.
 */
class StowSendHttpsTest {
    @TempDir
    Path tmp;

    private Node node;
    private HttpsServer server;

    @AfterEach
    void stop() {
        if (node != null) node.close();
        if (server != null) server.stop(0);
    }

    @Test
    void serverCheckedAgainstTheTrustedBundleTokenPresentedAndAFailedInstanceSentAgain() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp.resolve("pki"));
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger posts = new AtomicInteger();
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(certs.web())));
        server.createContext("/dicom-web/studies", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(exchange.getRequestHeaders().getFirst("Authorization") + " | " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + " | parts " + (new String(body, StandardCharsets.ISO_8859_1).split("Content-Type: application/dicom\r\n", -1).length - 1));
            // the first request: one instance failed for lack of resources (A700), the rest stored; then all stored
            String answer = posts.incrementAndGet() == 1
                    ? "{\"00081198\":{\"vr\":\"SQ\",\"Value\":[{\"00081155\":{\"vr\":\"UI\",\"Value\":[\"1.2.3.4\"]},"
                      + "\"00081197\":{\"vr\":\"US\",\"Value\":[42752]}}]}}"
                    : "{}";
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
            exchange.sendResponseHeaders(posts.get() == 1 ? 202 : 200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        String base = "https://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web";

        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), Map.of("STOW_TOKEN", "tok-123"),
                "--send.destinations=dicomweb:" + base + ";auth=bearer:STOW_TOKEN;trusted=" + certs.caCert()
                        + ", dicomweb:https://localhost:" + server.getAddress().getPort() + "/dicom-web;trusted=" + certs.otherCaCert(),
                "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=1", "--send.max-attempts=2"));
        var files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(9741).withSlices(10).withSize(256).withTumours(1)),
                tmp.resolve("phantom"));
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox WHERE state IN ('sent', 'dead')") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state || ' ' || attempts FROM scp.outbox WHERE destination = ?", "dicomweb:" + base))
                .containsExactly("sent 2");
        assertThat(TestNodes.strings(node.dataSource(), """
                SELECT e.reason FROM scp.outbox_event e JOIN scp.outbox o ON o.id = e.outbox_id WHERE o.destination = ? AND e.to_state = 'pending' AND e.reason LIKE '%refused%'""",
                "dicomweb:" + base)).singleElement().asString().contains("1.2.3.4 failed with reason A700");
        // every result object of the job (SEG, SR, an overlay per lesion) in one request, each time, with the token
        long results = TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.result_object");
        assertThat(results).isGreaterThanOrEqualTo(3);
        assertThat(seen).hasSize(2).allSatisfy(s -> assertThat(s)
                .startsWith("Bearer tok-123 | multipart/related; type=\"application/dicom\"; boundary=").endsWith(" | parts " + results));
        // the other CA's bundle does not vouch for the server: never delivered, the certificate named
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state || ' ' || last_error FROM scp.outbox WHERE destination LIKE 'dicomweb:https://localhost%'")
                .get(0)).startsWith("dead ").contains("certificate").contains("other-ca.crt");
    }

    private static SSLContext serverContext(TestCertificates.Pair pair) throws Exception {
        List<X509Certificate> chain = PemFiles.certificates(pair.cert());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, new char[0]);
        store.setKeyEntry("https", PemFiles.privateKey(pair.key()), new char[0], chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
