package org.ctai.scp.tls;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The JVM's PKIX trust manager over one trusted bundle, whose refusals say which certificate was refused and why
 * (expired, not yet valid, not signed by anything in the bundle): the JVM's own message ("PKIX path building failed")
 * names neither, and an operator must know which certificate to replace. Thread-safe.
 */
final class ExplainingTrustManager implements X509TrustManager {
    private final X509TrustManager pkix;
    private final Path bundle;

    ExplainingTrustManager(X509TrustManager pkix, Path bundle) {
        this.pkix = pkix;
        this.bundle = bundle;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "client", () -> pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "server", () -> pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private void check(X509Certificate[] chain, String role, Check check) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the " + role + " sent no certificate");
        X509Certificate leaf = chain[0];
        for (X509Certificate c : chain) {
            try {
                c.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new CertificateException(describe(role, leaf) + " is not accepted: "
                        + (c == leaf ? "it" : "its issuer " + c.getSubjectX500Principal().getName()) + " expired on " + c.getNotAfter().toInstant(), e);
            } catch (CertificateNotYetValidException e) {
                throw new CertificateException(describe(role, leaf) + " is not accepted: "
                        + (c == leaf ? "it" : "its issuer " + c.getSubjectX500Principal().getName()) + " is not valid before "
                        + c.getNotBefore().toInstant(), e);
            }
        }
        try {
            check.run();
        } catch (CertificateException e) {
            throw new CertificateException(describe(role, leaf) + " is not trusted: no certificate in " + bundle + " signs it ("
                    + e.getMessage() + ")", e);
        }
    }

    static String describe(String role, X509Certificate c) {
        return role + " certificate '" + c.getSubjectX500Principal().getName() + "' (issued by '" + c.getIssuerX500Principal().getName()
                + "', serial " + c.getSerialNumber().toString(16) + ")";
    }
}
