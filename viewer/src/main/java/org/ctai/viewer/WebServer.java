package org.ctai.viewer;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.BlockingHandler;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * The node's web page and JSON API (see viewer/README.md for the endpoints), served by Undertow on
 * {@code web.bind}:{@code web.port}: over plain HTTP, or, given {@link Https}, over HTTPS only (the same port; no
 * plain listener and no redirect, so nothing with a password or patient data can go out in clear by mistake). With
 * HTTPS the session cookie is Secure and every response carries Strict-Transport-Security, whatever
 * {@code web.secure-cookie} says.
 *
 * <p>Lifecycle: construct, {@link #start()}, then {@link #stop()} (or {@link #close()}); Undertow's threads keep
 * the JVM alive until stopped. Reads scp's tables through the given DataSource and writes them only to retry a
 * job or its deliveries (admins). Starting fails fast on a port in use. Thread-safe.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    /** UNIT: bytes. Larger request bodies are refused; the page only posts login forms. */
    static final long MAX_REQUEST_BYTES = 64 * 1024;

    private final WebConfig config;
    private final DataSource db;
    private final NodeStatus node;
    private final InstantSource clock;
    /** STOW-RS's receiver, or null: then /dicomweb answers 404. */
    private final StowReceiver stow;
    /** HTTPS, or empty: plain HTTP. */
    private final Optional<Https> https;
    private Undertow server; // guarded by this
    private int port = -1; // guarded by this

    public WebServer(WebConfig config, DataSource db, NodeStatus node) {
        this(config, db, node, InstantSource.system(), null, Optional.empty());
    }

    /** With STOW-RS ({@code POST /dicomweb/studies}) storing through {@code stow}. */
    public WebServer(WebConfig config, DataSource db, NodeStatus node, StowReceiver stow) {
        this(config, db, node, InstantSource.system(), Objects.requireNonNull(stow, "stow"), Optional.empty());
    }

    /**
     * With STOW-RS through {@code stow}, and over HTTPS only when {@code https} is given (then the session cookie is
     * Secure and HSTS is sent).
     */
    public WebServer(WebConfig config, DataSource db, NodeStatus node, StowReceiver stow, Optional<Https> https) {
        this(config, db, node, InstantSource.system(), Objects.requireNonNull(stow, "stow"), https);
    }

    WebServer(WebConfig config, DataSource db, NodeStatus node, InstantSource clock) {
        this(config, db, node, clock, null, Optional.empty());
    }

    private WebServer(WebConfig config, DataSource db, NodeStatus node, InstantSource clock, StowReceiver stow, Optional<Https> https) {
        Objects.requireNonNull(config, "config");
        this.https = Objects.requireNonNull(https, "https");
        // a cookie sent over HTTPS only; browsers keep to HTTPS for this host (HSTS)
        this.config = https.isPresent() ? config.withSecureCookie(true) : config;
        this.db = Objects.requireNonNull(db, "db");
        this.node = Objects.requireNonNull(node, "node");
        this.clock = clock;
        this.stow = stow;
    }

    /** Binds and starts serving. Can be called once. */
    public synchronized void start() {
        if (server != null) throw new IllegalStateException("the web server was started already");
        // checked here, not in WebConfig: commands that never serve the page need no users
        if (config.auth() && config.users().isEmpty()) {
            throw new IllegalStateException("web.users is empty: add a user (name:role:hash, hash from ./ctai hash-password) or set web.auth=off");
        }
        if (!config.auth()) {
            log.warn("web.auth=off: the web page and API are open to anyone who reaches {}:{}, as an admin; set web.users instead",
                    config.bind(), config.port());
        }
        Sessions sessions = new Sessions(config.sessionTimeout(), clock);
        Router router = new Router(config, sessions, new Logins(config, sessions, clock), new StaticFiles(),
                new ApiHandlers(db, node, config.dataDir()), stow == null ? null : new StowHandler(stow));
        Undertow.Builder builder = Undertow.builder();
        if (https.isPresent()) {
            Https h = https.get();
            if (h.enabledProtocols().isEmpty() || h.enabledCipherSuites().isEmpty()) {
                throw new IllegalStateException("this JVM supports none of the TLS protocols " + h.protocols() + " or none of the cipher suites "
                        + h.cipherSuites() + " allowed for HTTPS (web.tls-cert); run the node on a JVM with TLS 1.2 or 1.3");
            }
            builder.addHttpsListener(config.port(), config.bind(), h.context())
                    // Undertow's SSL engines take these; the JVM's defaults would also offer TLS 1.2 CBC and RSA key exchange
                    .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(h.enabledProtocols()))
                    .setSocketOption(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(h.enabledCipherSuites()));
        } else {
            builder.addHttpListener(config.port(), config.bind());
        }
        Undertow u = builder
                // Undertow answers a Content-Length above this with a bare 400 before any handler: with STOW-RS the Router
                // sets each request's limit itself (MAX_REQUEST_BYTES, or STOW-RS's) and answers 413 with a reason
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, stow == null ? MAX_REQUEST_BYTES : Long.MAX_VALUE)
                .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, false)
                .setHandler(new BlockingHandler(router))
                .build();
        try {
            u.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the web page on " + config.bind() + ":" + config.port()
                    + " (web.bind / web.port): " + e.getMessage(), e);
        }
        server = u;
        port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
        log.info("web page on {}://{}:{}/ ({} users, auth {}, secure cookie {}{})", https.isPresent() ? "https" : "http", config.bind(), port,
                config.users().size(), config.auth() ? "on" : "off", config.secureCookie(),
                https.map(h -> ", " + String.join("/", h.enabledProtocols()) + " with " + h.enabledCipherSuites().size() + " cipher suites")
                        .orElse(""));
    }

    /** The port listened on (the real one when web.port is 0). */
    public synchronized int port() {
        if (server == null) throw new IllegalStateException("the web server is not running");
        return port;
    }

    /** Stops serving; requests in flight are cut. Idempotent. */
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
            log.info("web page stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }
}
