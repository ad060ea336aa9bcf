package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ctai.scp.tls.DicomTls;
import org.ctai.scp.tls.PemFiles;
import org.ctai.viewer.PasswordHasher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web server on HTTPS itself (web.tls-cert, web.tls-key): curl, trusting only the test CA, posts a CT series by
 * STOW-RS and the node stores and processes it; Chromium logs in and reads the worklist; the session cookie is Secure
 * and HSTS is sent; plain HTTP, TLS 1.1 and a TLS 1.2 suite outside BCP 195 are refused on that port; a key file others
 * may read is warned about.
 */
class WebHttpsTest {
    private static final String SENDER = "pacs";
    private static final String SENDER_PASSWORD = "stow secret for tests";

    /** One node for the class: starting one is the slow part. */
    @TempDir
    static Path tmp;

    private static TestCertificates certs;
    private static Node node;
    private static String base;

    @BeforeAll
    static void start() {
        certs = TestCertificates.create(tmp.resolve("pki"));
        node = TestNodes.start(tmp.resolve("data"), "--web.tls-cert=" + certs.web().cert(), "--web.tls-key=" + certs.web().key(),
                "--web.users=" + TestNodes.WEB_USER + ":admin:" + PasswordHasher.hash(TestNodes.WEB_PASSWORD.toCharArray(), 1000) + ","
                        + SENDER + ":sender:" + PasswordHasher.hash(SENDER_PASSWORD.toCharArray(), 1000));
        base = "https://127.0.0.1:" + node.webPort();
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
    }

    @Test
    void seriesPostedWithCurlOverHttpsIsProcessedAndABrowserLogsInAndSeesIt() throws Exception {
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 6, 64);
        String boundary = "ctai-https-test";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Path f : s.files()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Files.readAllBytes(f));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        Path bodyFile = Files.write(tmp.resolve("stow-body"), body.toByteArray());

        Run r = run("curl", "-sS", "--cacert", certs.caCert().toString(), "-D", "-", "-o", tmp.resolve("stow-response").toString(),
                "-u", SENDER + ":" + SENDER_PASSWORD, "-H", "Accept: application/dicom+json",
                "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                "--data-binary", "@" + bodyFile, base + "/dicomweb/studies");

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("HTTP/1.1 200").containsIgnoringCase("strict-transport-security: max-age=31536000");
        assertThat(Files.readString(tmp.resolve("stow-response"))).contains(s.sopInstanceUids().get(0));
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance i JOIN scp.series s ON s.id = i.series_id"
                + " WHERE s.series_uid = ?", s.seriesUid())).isEqualTo(6);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestNodes.count(node.dataSource(),
                "SELECT count(*) FROM scp.job j JOIN scp.series s ON s.id = j.series_id WHERE s.series_uid = ? AND j.state = 'done'", s.seriesUid()) == 1);

        ChromeDriver driver = chromium();
        try {
            driver.get(base + "/");
            assertThat(driver.getCurrentUrl()).startsWith(base + "/login");
            driver.findElement(By.id("user")).sendKeys(TestNodes.WEB_USER);
            driver.findElement(By.id("password")).sendKeys(TestNodes.WEB_PASSWORD);
            driver.findElement(By.id("submit")).click();
            new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> !d.findElements(By.cssSelector("#worklist tbody a.patient")).isEmpty());
            assertThat(driver.findElement(By.cssSelector("#worklist tbody a.patient")).getText()).isEqualTo("Test^Ingest");
            Cookie session = driver.manage().getCookieNamed("__Host-ctai_session");
            assertThat(session).as("the browser's session cookie").isNotNull();
            assertThat(session.isSecure()).isTrue();
            assertThat(session.isHttpOnly()).isTrue();
        } finally {
            driver.quit();
        }
    }

    @Test
    void loginOverHttpsSetsASecureCookieAndEveryResponseCarriesHsts() throws Exception {
        Run login = run("curl", "-sS", "--cacert", certs.caCert().toString(), "-D", "-", "-o", "/dev/null",
                "--data-urlencode", "user=" + TestNodes.WEB_USER, "--data-urlencode", "password=" + TestNodes.WEB_PASSWORD, base + "/api/login");
        assertThat(login.exitCode()).as(login.output()).isZero();
        assertThat(login.output()).startsWith("HTTP/1.1 200");
        String cookie = login.output().lines().filter(l -> l.regionMatches(true, 0, "set-cookie:", 0, 11)).findFirst().orElseThrow();
        assertThat(cookie).contains("__Host-ctai_session=", "; Secure", "; HttpOnly", "; SameSite=Strict");
        assertThat(login.output()).containsIgnoringCase("strict-transport-security: max-age=31536000");

        Run refused = run("curl", "-sS", "--cacert", certs.caCert().toString(), "-D", "-", "-o", "/dev/null", base + "/api/me");
        assertThat(refused.output()).startsWith("HTTP/1.1 401").containsIgnoringCase("strict-transport-security: max-age=31536000");
    }

    @Test
    void plainHttpOnTheHttpsPortGetsNoPageAndTheNodeKeepsServing() throws Exception {
        Run plain = run("curl", "-sS", "-D", "-", "--max-time", "10", "http://127.0.0.1:" + node.webPort() + "/login");
        assertThat(plain.exitCode()).as(plain.output()).isNotZero();
        // no page and no plaintext error page either: the TLS listener closes a connection that is not TLS
        assertThat(plain.output()).doesNotContain("HTTP/1.");

        Run https = run("curl", "-sS", "--cacert", certs.caCert().toString(), "-o", "/dev/null", "-w", "%{http_code}", base + "/login");
        assertThat(https.output()).isEqualTo("200");
    }

    @Test
    void tls11AndTls12SuitesOutsideBcp195AreRefusedWhileTheProfilesOwnAreTaken() throws Exception {
        String peer = "127.0.0.1:" + node.webPort();
        // SECLEVEL=0: OpenSSL 3 itself would otherwise refuse to offer TLS 1.1, and the test would prove nothing
        Run tls11 = run("openssl", "s_client", "-connect", peer, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(tls11.exitCode()).as(tls11.output()).isNotZero();
        assertThat(tls11.output()).contains("protocol version").doesNotContain("-----BEGIN CERTIFICATE-----");

        Run cbc = run("openssl", "s_client", "-connect", peer, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA");
        assertThat(cbc.exitCode()).as(cbc.output()).isNotZero();
        assertThat(cbc.output()).contains("handshake failure");

        Run gcm = run("openssl", "s_client", "-connect", peer, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-CAfile",
                certs.caCert().toString(), "-verify_return_error");
        assertThat(gcm.exitCode()).as(gcm.output()).isZero();
        assertThat(gcm.output()).contains("Protocol  : TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Verify return code: 0 (ok)");

        Run tls13 = run("openssl", "s_client", "-connect", peer, "-tls1_3", "-CAfile", certs.caCert().toString(), "-verify_return_error");
        assertThat(tls13.exitCode()).as(tls13.output()).isZero();
        assertThat(tls13.output()).contains("TLSv1.3");
    }

    @Test
    void aWebKeyFileOthersMayReadIsWarnedAboutWithoutItsContent() throws Exception {
        Path key = Files.copy(certs.web().key(), tmp.resolve("web-readable.key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        try (LogCapture log = new LogCapture()) {
            DicomTls.serverContext(certs.web().cert(), key);
            assertThat(log.text()).contains("private key file " + key + " is readable by others than its owner (rw-r--r--)", "chmod 600 " + key)
                    .doesNotContain(Files.readAllLines(key).get(1));
        }
    }

    /**
     * Chromium trusting exactly the test web server's key (its SubjectPublicKeyInfo hash), as a browser with the
     * site's CA installed would: every other certificate error still stops it.
     */
    private static ChromeDriver chromium() throws Exception {
        byte[] spki = PemFiles.certificates(certs.web().cert()).get(0).getPublicKey().getEncoded();
        String pin = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900", "--lang=en-US",
                "--ignore-certificate-errors-spki-list=" + pin,
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"));
        // the driver path given explicitly: otherwise Selenium Manager tries the internet
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private record Run(int exitCode, String output) { }

    /** Runs a command with no input (s_client quits at its end), its output and errors together. */
    private static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd[0] + " did not finish in 60 s: " + out);
        }
        return new Run(p.exitValue(), out);
    }
}
