package org.ctai.viewer;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * What the web server needs to listen on HTTPS: an SSLContext holding the server's certificate chain and key, and the
 * TLS protocols and cipher suites it may offer (those the JVM lacks are skipped). The viewer makes no policy and
 * reads no key files: the node builds this from {@code web.tls-cert} and {@code web.tls-key} with its one TLS policy.
 * Immutable; the SSLContext is thread-safe.
 *
 * @param context      initialised with the server's key manager
 * @param protocols    e.g. TLSv1.3, TLSv1.2; at least one
 * @param cipherSuites JSSE names, in order of preference; at least one
 */
public record Https(SSLContext context, List<String> protocols, List<String> cipherSuites) {
    public Https {
        Objects.requireNonNull(context, "context");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        if (protocols.isEmpty()) throw new IllegalArgumentException("HTTPS needs at least one TLS protocol");
        if (cipherSuites.isEmpty()) throw new IllegalArgumentException("HTTPS needs at least one cipher suite");
    }

    /** The protocols the JVM supports, of those allowed. */
    List<String> enabledProtocols() {
        List<String> supported = List.of(context.getSupportedSSLParameters().getProtocols());
        return protocols.stream().filter(supported::contains).toList();
    }

    /** The cipher suites the JVM supports, of those allowed, in our order. */
    List<String> enabledCipherSuites() {
        List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
        return cipherSuites.stream().filter(supported::contains).toList();
    }
}
