package org.ctai.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the openssl command line (nothing secret is committed): a test CA, the node's
 * server certificate, the web server's (named for 127.0.0.1 and localhost), a client certificate the CA signs, one
 * from another CA (untrusted), and an expired one from the test CA. Keys are written unencrypted with mode 600, as the
 * README tells operators to.
 */
public final class TestCertificates {
    public final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A key pair and its certificate. */
    public record Pair(Path key, Path cert) { }

    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            TestCertificates c = new TestCertificates(dir);
            c.ca("ca", "CTAI Test CA");
            c.ca("other-ca", "Somebody Else's CA");
            c.signed("node", "ca", "ctai-node", List.of());
            c.signed("client", "ca", "STORESCU", List.of());
            c.signed("pacs", "ca", "test-pacs", List.of());
            // browsers and curl check a web server's name: the SAN says 127.0.0.1 and localhost
            Files.writeString(dir.resolve("web.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n", StandardCharsets.US_ASCII);
            c.signed("web", "ca", "localhost", List.of("-extfile", "web.ext"));
            c.signed("stranger", "other-ca", "STORESCU", List.of());
            c.expired("expired", "ca", "STORESCU");
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make test certificates with openssl: " + e.getMessage(), e);
        }
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public Path otherCaCert() {
        return dir.resolve("other-ca.crt");
    }

    /** The node's own certificate and key. */
    public Pair node() {
        return pair("node");
    }

    /**
     * An HTTPS server's certificate on loopback (CN and subjectAltName localhost, IP 127.0.0.1) and key, signed by the test
     * CA: the node's web server, or a DICOMweb server the node sends to.
     */
    public Pair web() {
        return pair("web");
    }

    /** A client the test CA vouches for. */
    public Pair client() {
        return pair("client");
    }

    /** A storescp acting as the PACS, signed by the test CA. */
    public Pair pacs() {
        return pair("pacs");
    }

    /** A client certificate signed by another CA. */
    public Pair stranger() {
        return pair("stranger");
    }

    /** A client certificate of the test CA that expired in 2020. */
    public Pair expired() {
        return pair("expired");
    }

    private Pair pair(String name) {
        return new Pair(dir.resolve(name + ".key"), dir.resolve(name + ".crt"));
    }

    private void ca(String name, String cn) throws IOException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-days", "3",
                "-subj", "/CN=" + cn, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        privateMode(name + ".key");
    }

    private void signed(String name, String ca, String cn, List<String> extra) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2"));
        args.addAll(extra);
        openssl(args.toArray(String[]::new));
        privateMode(name + ".key");
    }

    /** openssl x509 cannot backdate, openssl ca can (with a minimal database). */
    private void expired(String name, String ca, String cn) throws IOException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ ca ]
                default_ca = test
                [ test ]
                dir = .
                database = index.txt
                new_certs_dir = .
                serial = serial
                default_md = sha256
                policy = any
                [ any ]
                commonName = supplied
                """, StandardCharsets.US_ASCII);
        openssl("ca", "-batch", "-config", "ca.cnf", "-cert", ca + ".crt", "-keyfile", ca + ".key", "-in", name + ".csr", "-out", name + ".crt",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext");
        privateMode(name + ".key");
    }

    private void privateMode(String file) throws IOException {
        Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
    }

    /** Runs openssl in {@link #dir}; its output is kept only for the failure message. */
    public String openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
