package org.ctai.scp.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of DICOM over TLS with the node's policy: TLS 1.3 and 1.2 only, and for 1.2 only the ECDHE AES-GCM cipher
 * suites of the DICOM BCP 195 profiles (PS3.15 Annex B: the BCP 195 RFC 8996 and non-downgrading BCP 195 profiles
 * propose these); the peer's certificate is checked against one trusted PEM bundle. There is no host name check:
 * as in DICOM practice (DCMTK, Orthanc), a peer is identified by a certificate its own bundle trusts, so a bundle
 * should hold only the peers' certificates or a CA that signs nothing else. Thread-safe; one per listener or
 * destination.
 */
public final class DicomTls {
    private static final Logger log = LoggerFactory.getLogger(DicomTls.class);
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** TLS 1.3's suites, then BCP 195's TLS 1.2 suites (forward secrecy, AEAD); the JVM skips any it lacks. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    /** Own certificates expiring sooner than this are warned about at start. */
    private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    /** Whether a caller must, may or need not present a certificate. */
    public enum ClientAuth { REQUIRED, OPTIONAL, NONE }

    private final SSLContext context;
    private final ClientAuth clientAuth;

    private DicomTls(SSLContext context, ClientAuth clientAuth) {
        this.context = context;
        this.clientAuth = clientAuth;
    }

    /**
     * The accepting side: our certificate chain and key, and the bundle callers' certificates are checked against
     * (needed unless {@code clientAuth} is NONE).
     */
    public static DicomTls server(Path cert, Path key, Optional<Path> trusted, ClientAuth clientAuth) throws IOException, GeneralSecurityException {
        return new DicomTls(context(Optional.of(cert), Optional.of(key), trusted), clientAuth);
    }

    /**
     * An SSLContext with only our certificate chain and key, for a server that asks callers for no certificate (the web
     * server's HTTPS). Warns as {@link #server} does of a key file others may read and of a certificate near expiry.
     * Apply {@link #PROTOCOLS} and {@link #CIPHER_SUITES} to what it creates.
     */
    public static SSLContext serverContext(Path cert, Path key) throws IOException, GeneralSecurityException {
        return context(Optional.of(cert), Optional.of(key), Optional.empty());
    }

    /** The requesting side: the destination's trusted bundle and, optionally, our client certificate and key. */
    public static DicomTls client(Path trusted, Optional<Path> cert, Optional<Path> key) throws IOException, GeneralSecurityException {
        return new DicomTls(context(cert, key, Optional.of(trusted)), ClientAuth.NONE);
    }

    /**
     * An HTTP client for a DICOMweb server: HTTP/1.1 (a plain-http upgrade to h2c would not carry a streamed body, and
     * DICOMweb servers all speak 1.1), {@code connectTimeout}, redirects not followed (one could take the
     * Authorization header elsewhere), and over HTTPS trusting only the certificates in {@code trusted} (a failed check
     * names the bundle, as for DICOM TLS), or the JVM's trust store when it is empty.
     */
    public static java.net.http.HttpClient httpClient(Optional<Path> trusted, Duration connectTimeout) throws IOException, GeneralSecurityException {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(java.net.http.HttpClient.Redirect.NEVER);
        if (trusted.isPresent()) b.sslContext(context(Optional.empty(), Optional.empty(), trusted));
        return b.build();
    }

    private static SSLContext context(Optional<Path> cert, Optional<Path> key, Optional<Path> trusted) throws IOException, GeneralSecurityException {
        KeyManager[] keys = null;
        if (cert.isPresent() && key.isPresent()) {
            List<X509Certificate> chain = PemFiles.certificates(cert.get());
            PrivateKey privateKey = PemFiles.privateKey(key.get());
            PemFiles.readableByOthers(key.get()).ifPresent(perms -> log.warn(
                    "private key file {} is readable by others than its owner ({}); restrict it: chmod 600 {}", key.get(), perms, key.get()));
            warnIfExpiring(cert.get(), chain.get(0));
            // an in-memory store only: the password protects nothing here, the key file's permissions do
            char[] none = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, none);
            store.setKeyEntry("ctai", privateKey, none, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            keys = kmf.getKeyManagers();
        }
        TrustManager[] trust = null;
        if (trusted.isPresent()) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (X509Certificate c : PemFiles.certificates(trusted.get())) store.setCertificateEntry("trusted-" + n++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];
            trust = new TrustManager[] {new ExplainingTrustManager(pkix, trusted.get())};
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, trust, null);
        return ctx;
    }

    private static void warnIfExpiring(Path file, X509Certificate c) {
        Instant notAfter = c.getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            log.warn("certificate {} ({}) expired on {}: peers will refuse it; replace it", file, c.getSubjectX500Principal().getName(), notAfter);
        } else if (notAfter.isBefore(Instant.now().plus(EXPIRY_WARNING))) {
            log.warn("certificate {} ({}) expires on {}; replace it before then", file, c.getSubjectX500Principal().getName(), notAfter);
        }
    }

    /**
     * Runs the server side of the handshake over an accepted connection, waiting at most {@code timeout} for the peer.
     * The returned socket keeps that read timeout; the plain socket is closed with it.
     *
     * @throws IOException the handshake failed; {@link #explain} says why in an operator's words
     */
    public SSLSocket accept(Socket plain, Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
        s.setUseClientMode(false);
        configure(s);
        if (clientAuth == ClientAuth.REQUIRED) s.setNeedClientAuth(true);
        else if (clientAuth == ClientAuth.OPTIONAL) s.setWantClientAuth(true);
        s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        s.startHandshake();
        return s;
    }

    /** Connects to {@code host:port} and runs the client side of the handshake; the socket has TCP_NODELAY on. */
    public SSLSocket connect(String host, int port, Duration connectTimeout, Duration handshakeTimeout) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            SSLSocketFactory factory = context.getSocketFactory();
            SSLSocket s = (SSLSocket) factory.createSocket(plain, host, port, true);
            s.setUseClientMode(true);
            configure(s);
            s.setSoTimeout((int) Math.max(1, handshakeTimeout.toMillis()));
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static void configure(SSLSocket s) {
        s.setEnabledProtocols(List.of(s.getSupportedProtocols()).stream().filter(PROTOCOLS::contains).toArray(String[]::new));
        s.setEnabledCipherSuites(List.of(s.getSupportedCipherSuites()).stream().filter(CIPHER_SUITES::contains).toArray(String[]::new));
    }

    /**
     * Why a handshake failed, in an operator's words: not TLS at all, no certificate, a certificate refused (which,
     * and why), no common protocol or cipher suite, or a peer that stopped answering.
     */
    public static String explain(IOException failure) {
        if (failure instanceof SocketTimeoutException) return "no TLS handshake within the timeout (stalled or not a TLS client)";
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null && t.getMessage().contains(" certificate ")) return t.getMessage();
        }
        String m = String.valueOf(failure.getMessage());
        if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
            return "not a TLS handshake (a plain DICOM client on the TLS port?)";
        }
        if (m.contains("Empty client certificate chain") || m.contains("Empty certificate chain")) {
            return "the client sent no certificate, and one is required (dicom.tls-client-auth=required)";
        }
        if (m.contains("no cipher suites in common") || m.contains("No appropriate protocol") || m.contains("protocol_version")) {
            return "no common TLS version or cipher suite (the node offers TLS 1.2/1.3 with BCP 195 suites): " + m;
        }
        if (m.contains("certificate_unknown") || m.contains("bad_certificate") || m.contains("unknown_ca")) {
            return "the peer refused our certificate (" + m + "); is our CA in its trusted list?";
        }
        if (failure instanceof java.net.SocketException || failure instanceof java.io.EOFException || m.contains("Remote host terminated")) {
            return "the peer closed the connection during the TLS handshake (" + m + "): does it trust our certificate, and speak TLS on this port?";
        }
        if (failure instanceof SSLException) return "TLS handshake failed: " + m;
        return "connection failed during the TLS handshake: " + failure;
    }
}
