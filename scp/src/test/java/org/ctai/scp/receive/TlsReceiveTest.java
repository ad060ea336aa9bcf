package org.ctai.scp.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.LogCapture;
import org.ctai.scp.Node;
import org.ctai.scp.TestCertificates;
import org.ctai.scp.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOM TLS port against DCMTK's real TLS clients (OpenSSL inside): trusted callers are served exactly as on the
 * plain port; an untrusted, expired or missing client certificate, a plaintext client and a stalled handshake are each
 * refused with a log line that says why, while the listener goes on serving.
 */
class TlsReceiveTest {
    @TempDir
    static Path certDir;
    static TestCertificates certs;

    @TempDir
    Path tmp;

    private Node node;
    private LogCapture logs;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(certDir.resolve("pki"));
    }

    @AfterEach
    void stop() {
        if (node != null) node.close();
        if (logs != null) logs.close();
    }

    private Node start(String... more) {
        logs = new LogCapture();
        String[] tls = {"--dicom.tls-port=0", "--dicom.tls-cert=" + certs.node().cert(), "--dicom.tls-key=" + certs.node().key(),
                "--dicom.tls-trusted=" + certs.caCert(), "--dicom.request-timeout-seconds=2"};
        String[] all = new String[tls.length + more.length];
        System.arraycopy(tls, 0, all, 0, tls.length);
        System.arraycopy(more, 0, all, tls.length, more.length);
        // dicom.tls-port=0 means off; a free port is found by binding one first
        all[0] = "--dicom.tls-port=" + org.ctai.scp.NodeProcess.freePort();
        node = TestNodes.start(tmp.resolve("data"), all);
        return node;
    }

    private static String[] tlsWith(TestCertificates.Pair client) {
        return new String[] {"+tls", client.key().toString(), client.cert().toString(), "+cf", certs.caCert().toString()};
    }

    private Dcmtk.Result echoOverTls(TestCertificates.Pair client) {
        return Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomTlsPort(), tlsWith(client));
    }

    private long count(String sql, Object... args) {
        return TestNodes.count(node.dataSource(), sql, args);
    }

    @Test
    void trustedClientEchoesAndStoresASeriesThatIsProcessed() {
        start();
        Dcmtk.Result echo = echoOverTls(certs.client());
        assertThat(echo.exitCode()).as(echo.output()).isZero();

        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 20, 64);
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomTlsPort(), s.files(), tlsWith(certs.client()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(count("SELECT count(*) FROM scp.instance i JOIN scp.series s ON s.id = i.series_id WHERE s.series_uid = ?", s.seriesUid()))
                .isEqualTo(20);
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT result->>'instances' FROM scp.job")).containsExactly("20");
        assertThat(logs.text()).contains("DICOM TLS SCP CTAI listening").contains("client certificate required");
    }

    @Test
    void callingAeAndAddressChecksApplyOnTheTlsPort() {
        start("--dicom.allowed-addresses=127.0.0.1");
        Dcmtk.Result intruder = Dcmtk.echoscu("INTRUDER", "CTAI", node.dicomTlsPort(), tlsWith(certs.client()));
        assertThat(intruder.output()).contains("Association Rejected").contains("Calling AE Title Not Recognized");
        Dcmtk.Result wrongCalled = Dcmtk.echoscu(TestNodes.CALLER, "NOTUS", node.dicomTlsPort(), tlsWith(certs.client()));
        assertThat(wrongCalled.output()).contains("Called AE Title Not Recognized");
    }

    @Test
    void untrustedExpiredAndMissingCertificatesAreRefusedAndTheListenerKeepsServing() {
        start();
        Dcmtk.Result stranger = echoOverTls(certs.stranger());
        assertThat(stranger.exitCode()).isNotZero();
        Dcmtk.Result expired = echoOverTls(certs.expired());
        assertThat(expired.exitCode()).isNotZero();
        Dcmtk.Result anonymous = Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomTlsPort(), "+tla", "+cf", certs.caCert().toString());
        assertThat(anonymous.exitCode()).isNotZero();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.text())
                .containsPattern("TLS connection from 127.0.0.1:\\d+ refused: client certificate 'CN=STORESCU' \\(issued by 'CN=Somebody Else's CA'.*is not trusted")
                .containsPattern("refused: client certificate 'CN=STORESCU' \\(issued by 'CN=CTAI Test CA'.*it expired on 2020-01-02")
                .contains("refused: the client sent no certificate, and one is required"));

        Dcmtk.Result trusted = echoOverTls(certs.client());
        assertThat(trusted.exitCode()).as(trusted.output()).isZero();
    }

    @Test
    void plaintextClientOnTheTlsPortIsRefusedWhileThePlainPortServes() {
        start();
        Dcmtk.Result plain = Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomTlsPort());
        assertThat(plain.exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.text())
                .contains("refused: not a TLS handshake (a plain DICOM client on the TLS port?)"));
        assertThat(Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomPort()).exitCode()).isZero();
        assertThat(echoOverTls(certs.client()).exitCode()).isZero();
    }

    @Test
    void stalledHandshakeIsDroppedAfterTheRequestTimeoutWithoutBlockingOthers() throws Exception {
        start();
        try (Socket silent = new Socket("127.0.0.1", node.dicomTlsPort())) {
            // while this connection says nothing, others are served
            Dcmtk.Result trusted = echoOverTls(certs.client());
            assertThat(trusted.exitCode()).as(trusted.output()).isZero();
            await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(logs.text())
                    .contains("refused: no TLS handshake within the timeout"));
            silent.setSoTimeout(2000);
            assertThat(silent.getInputStream().read()).as("the node closed the stalled connection").isEqualTo(-1);
        }
        // half a handshake: a ClientHello header that never completes
        try (Socket half = new Socket("127.0.0.1", node.dicomTlsPort())) {
            OutputStream out = half.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            out.flush();
            assertThat(echoOverTls(certs.client()).exitCode()).isZero();
        }
    }

    @Test
    void clientAuthNoneServesCallersWithoutCertificates() {
        start("--dicom.tls-client-auth=none", "--dicom.tls-trusted=");
        Dcmtk.Result anonymous = Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomTlsPort(), "+tla", "+cf", certs.caCert().toString());
        assertThat(anonymous.exitCode()).as(anonymous.output()).isZero();
    }

    @Test
    void keyReadableByOthersIsWarnedAboutAndNeverLogged() throws Exception {
        Path key = tmp.resolve("exposed.key");
        Files.copy(certs.node().key(), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        start("--dicom.tls-key=" + key);
        assertThat(logs.text()).contains("private key file " + key + " is readable by others than its owner (rw-r--r--)")
                .contains("chmod 600");
        String keyBody = Files.readString(key).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertThat(logs.text()).doesNotContain(keyBody).doesNotContain("PRIVATE KEY-----");
    }
}
