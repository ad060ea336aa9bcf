package org.ctai.scp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ctai.scp.TestCertificates;
import org.ctai.scp.tls.DicomTls;
import org.ctai.scp.tls.PemFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dicom.tls-*, TLS destinations and web.tls-*: read and checked at start, every problem naming its key and value, never
 * key material.
 */
class TlsConfigTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    private final ConfigLoader loader = ConfigLoader.withShippedDefaults();

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(dir.resolve("pki"));
    }

    private NodeConfig load(String... cli) {
        return loader.load(Optional.empty(), Map.of(), List.of(cli));
    }

    private String[] listener(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of("--dicom.tls-port=2762", "--dicom.tls-cert=" + certs.node().cert(),
                "--dicom.tls-key=" + certs.node().key(), "--dicom.tls-trusted=" + certs.caCert()));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void tlsPortIsOffByDefaultAndClientCertificatesAreRequiredWhenOn() {
        assertThat(load().dicom().tls()).isEmpty();
        NodeConfig.TlsListener t = load(listener()).dicom().tls().orElseThrow();
        assertThat(t.port()).isEqualTo(2762);
        assertThat(t.clientAuth()).isEqualTo(DicomTls.ClientAuth.REQUIRED);
        assertThat(t.trusted()).contains(certs.caCert());
    }

    @Test
    void missingFilesAndBadValuesAreNamedWithKeyAndValue() {
        assertThatThrownBy(() -> load("--dicom.tls-port=2762", "--dicom.tls-key=/nonexistent/node.key", "--dicom.tls-client-auth=sometimes"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.tls-cert must name a PEM file, was empty")
                .hasMessageContaining("dicom.tls-key must name a readable PEM file, was /nonexistent/node.key")
                .hasMessageContaining("dicom.tls-trusted must name a PEM file, was empty")
                .hasMessageContaining("dicom.tls-client-auth must be required, optional or none, was sometimes");
        assertThatThrownBy(() -> load(listener("--dicom.port=2762")))
                .hasMessageContaining("dicom.tls-port must differ from dicom.port, was 2762 for both");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> load(listener("--dicom.tls-key=" + certs.client().key())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.tls-key must be the private key of the certificate in dicom.tls-cert, was " + certs.client().key());
    }

    @Test
    void encryptedKeyIsRefusedWithTheRemedyAndWithoutItsContent() throws Exception {
        certs.openssl("pkey", "-in", "node.key", "-aes256", "-passout", "pass:secret", "-out", "node-encrypted.key");
        certs.openssl("rsa", "-in", "node.key", "-traditional", "-aes256", "-passout", "pass:secret", "-out", "node-encrypted-rsa.key");
        for (String name : List.of("node-encrypted.key", "node-encrypted-rsa.key")) {
            Path key = certs.dir.resolve(name);
            assertThatThrownBy(() -> load(listener("--dicom.tls-key=" + key)))
                    .hasMessageContaining("dicom.tls-key must hold an unencrypted PEM private key")
                    .hasMessageContaining("is encrypted, which the node does not support")
                    .hasMessageContaining("openssl pkey -in KEY -out KEY.plain")
                    .message().doesNotContain(Files.readAllLines(key).get(1)).doesNotContain("secret");
        }
    }

    @Test
    void traditionalRsaAndEcKeysAreReadAsOpenSslWritesThem() throws Exception {
        certs.openssl("rsa", "-in", "node.key", "-traditional", "-out", "node-rsa.key");
        assertThat(Files.readString(certs.dir.resolve("node-rsa.key"))).contains("BEGIN RSA PRIVATE KEY");
        assertThat(load(listener("--dicom.tls-key=" + certs.dir.resolve("node-rsa.key"))).dicom().tls()).isPresent();

        certs.openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        certs.openssl("req", "-new", "-x509", "-key", "ec.key", "-out", "ec.crt", "-days", "2", "-subj", "/CN=ctai-ec");
        assertThat(Files.readString(certs.dir.resolve("ec.key"))).contains("BEGIN EC PRIVATE KEY");
        var key = PemFiles.privateKey(certs.dir.resolve("ec.key"));
        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.matches(key, PemFiles.certificates(certs.dir.resolve("ec.crt")).get(0))).isTrue();
        assertThat(load(listener("--dicom.tls-cert=" + certs.dir.resolve("ec.crt"), "--dicom.tls-key=" + certs.dir.resolve("ec.key")))
                .dicom().tls()).isPresent();
    }

    @Test
    void tlsDestinationTakesItsOwnFilesOrTheSendDefaults() {
        NodeConfig c = load("--send.destinations=PLAIN@127.0.0.1:104, SECURE@pacs.example.org:2762;tls;trusted=" + certs.caCert()
                + ";cert=" + certs.client().cert() + ";key=" + certs.client().key() + ", OTHER@10.0.0.9:2762;tls",
                "--send.tls-trusted=" + certs.otherCaCert());
        List<NodeConfig.AeDestination> d = c.send().destinations().stream().map(NodeConfig.AeDestination.class::cast).toList();
        assertThat(d).extracting(Object::toString).containsExactly("PLAIN@127.0.0.1:104", "SECURE@pacs.example.org:2762", "OTHER@10.0.0.9:2762");
        assertThat(d.get(0).tls()).isEmpty();
        assertThat(d.get(1).tls().orElseThrow().trusted()).isEqualTo(certs.caCert());
        assertThat(d.get(1).tls().orElseThrow().cert()).contains(certs.client().cert());
        assertThat(d.get(2).tls().orElseThrow().trusted()).isEqualTo(certs.otherCaCert());
        assertThat(d.get(2).tls().orElseThrow().cert()).isEmpty();
    }

    @Test
    void tlsDestinationProblemsNameTheDestination() {
        assertThatThrownBy(() -> load("--send.destinations=SECURE@pacs:2762;tls, HALF@pacs:2763;tls;trusted=" + certs.caCert()
                + ";cert=" + certs.client().cert() + ", ODD@pacs:104;trusted=" + certs.caCert() + ", TYPO@pacs:2764;tls;trust=x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("send.destinations SECURE@pacs:2762 trusted (or send.tls-trusted) must name a PEM file, was empty")
                .hasMessageContaining("send.destinations HALF@pacs:2763 needs both cert= and key=")
                .hasMessageContaining("send.destinations entry ODD@pacs:104 sets trusted=" + certs.caCert() + " but not ;tls")
                .hasMessageContaining("send.destinations entry TYPO@pacs:2764 has an unknown option trust=x");
    }

    @Test
    void webIsPlainHttpByDefaultAndHttpsWithASecureCookieWhenBothFilesAreGiven() {
        NodeConfig plain = load();
        assertThat(plain.web().tls()).isEmpty();
        assertThat(plain.web().scheme()).isEqualTo("http");
        assertThat(plain.web().server().secureCookie()).isFalse();

        NodeConfig https = load("--web.tls-cert=" + certs.web().cert(), "--web.tls-key=" + certs.web().key(), "--web.secure-cookie=false");
        assertThat(https.web().tls()).contains(new NodeConfig.WebTls(certs.web().cert(), certs.web().key()));
        assertThat(https.web().scheme()).isEqualTo("https");
        assertThat(https.web().server().secureCookie()).isTrue();
    }

    @Test
    void webTlsNeedsBothKeysAndNamesTheOneMissing() {
        assertThatThrownBy(() -> load("--web.tls-cert=" + certs.web().cert()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.tls-key must name a PEM file when web.tls-cert is set (HTTPS needs both, plain HTTP neither), was empty");
        assertThatThrownBy(() -> load("--web.tls-key=" + certs.web().key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.tls-cert must name a PEM file when web.tls-key is set (HTTPS needs both, plain HTTP neither), was empty");
    }

    @Test
    void webTlsFilesThatCannotBeReadOrDoNotFitAreNamedWithKeyAndValue() {
        assertThatThrownBy(() -> load("--web.tls-cert=/nonexistent/web.crt", "--web.tls-key=" + certs.web().key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.tls-cert must name a readable PEM file, was /nonexistent/web.crt");
        assertThatThrownBy(() -> load("--web.tls-cert=" + certs.web().cert(), "--web.tls-key=" + certs.client().key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.tls-key must be the private key of the certificate in web.tls-cert, was " + certs.client().key());
        // a certificate given as the key: refused, and the message shows none of the file's content
        assertThatThrownBy(() -> load("--web.tls-cert=" + certs.web().cert(), "--web.tls-key=" + certs.web().cert()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.tls-key must hold an unencrypted PEM private key")
                .hasMessageContaining(certs.web().cert().toString());
    }
}
