package org.ctai.scp.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The node's configuration, validated at start and immutable afterwards. Each component takes its own
 * section. Keys, defaults and their meaning are documented in {@code conf/ctai.conf}; {@link ConfigLoader}
 * builds this from that file, an optional operator file, the environment and the command line.
 */
public record NodeConfig(Dicom dicom, Data data, Db db, Series series, Worker worker, Inference inference, Send send,
                         Retention retention, Web web, List<org.ctai.scp.route.Pipeline> pipelines, Priors priors) {
    public NodeConfig {
        pipelines = List.copyOf(pipelines);
    }

    /** How long files stay after their results were delivered, and how often that is checked. */
    /**
     * @param keep        how long after delivery a processed series' files stay
     * @param unprocessed how long the files of a series that produced no result (ignored, skipped, not chosen) stay
     */
    public record Retention(Duration keep, Duration checkInterval, Duration unprocessed) { }

    /** The segmentation model and the measurement settings. */
    public record Inference(org.ctai.inference.model.ModelConfig model, org.ctai.inference.measure.MeasurementSettings measurement,
                            org.ctai.inference.overlay.CtWindow overlayWindow, org.ctai.srwriter.ResultOptions results) { }

    /**
     * The C-ECHO / C-STORE SCP. An empty {@code allowedCallers} with {@code anyCaller} false admits nobody.
     * {@code sopClasses} holding {@link #ANY_STORAGE_SOP_CLASS} accepts every storage SOP class; one named in
     * {@code deniedSopClasses} is refused either way. {@code tls}: a second, TLS-only port beside {@code port}, with the
     * same checks. {@code maxConnectionsPerAddress}: connections open at once from one peer address, both ports
     * together, from accept to close ({@code dicom.max-connections-per-address}). {@code maxPendingRequests}: connections
     * whose association request (on the TLS port: handshake and request) is still awaited, all addresses together
     * ({@code dicom.max-pending-requests}); over it the one waiting longest is closed.
     */
    public record Dicom(String aeTitle, String bind, int port, Set<String> allowedCallers, boolean anyCaller,
                        Set<String> allowedAddresses, int maxAssociations, Duration requestTimeout,
                        Duration idleTimeout, List<String> sopClasses, List<String> transferSyntaxes,
                        Set<String> deniedSopClasses, Optional<TlsListener> tls, int maxConnectionsPerAddress,
                        int maxPendingRequests) {
        /** In {@code dicom.sop-classes}: every storage SOP class, standard or private. */
        public static final String ANY_STORAGE_SOP_CLASS = "*";
        /** As many as the default {@code dicom.max-associations}: a PACS that opens that many in parallel is never refused. */
        public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 16;
        /** Far more than callers send requests at once; a few hundred sockets and buffers of a few bytes each. */
        public static final int DEFAULT_MAX_PENDING_REQUESTS = 256;

        public Dicom {
            if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > 10_000) {
                throw new IllegalArgumentException("dicom.max-connections-per-address must be a whole number from 1 to 10000, was "
                        + maxConnectionsPerAddress);
            }
            if (maxPendingRequests < 1 || maxPendingRequests > 100_000) {
                throw new IllegalArgumentException("dicom.max-pending-requests must be a whole number from 1 to 100000, was " + maxPendingRequests);
            }
            allowedCallers = Set.copyOf(allowedCallers);
            allowedAddresses = Set.copyOf(allowedAddresses);
            sopClasses = List.copyOf(sopClasses);
            transferSyntaxes = List.copyOf(transferSyntaxes);
            deniedSopClasses = Set.copyOf(deniedSopClasses);
        }

        /** Without a TLS port. */
        public Dicom(String aeTitle, String bind, int port, Set<String> allowedCallers, boolean anyCaller,
                     Set<String> allowedAddresses, int maxAssociations, Duration requestTimeout,
                     Duration idleTimeout, List<String> sopClasses, List<String> transferSyntaxes, Set<String> deniedSopClasses) {
            this(aeTitle, bind, port, allowedCallers, anyCaller, allowedAddresses, maxAssociations, requestTimeout, idleTimeout, sopClasses,
                    transferSyntaxes, deniedSopClasses, Optional.empty(), DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                    DEFAULT_MAX_PENDING_REQUESTS);
        }

        public boolean admitsCaller(String callingAeTitle) {
            return anyCaller || allowedCallers.contains(callingAeTitle);
        }
    }

    /** Where spool, results and the embedded database live. */
    public record Data(Path dir, boolean fsync, long minFreeBytes) {
        public Path spool() { return dir.resolve("spool"); }

        public Path incoming() { return dir.resolve("incoming"); }

        public Path quarantine() { return dir.resolve("quarantine"); }

        public Path embeddedDatabase() { return dir.resolve("postgres"); }
    }

    /** An empty url means the embedded PostgreSQL under {@link Data#embeddedDatabase()}. */
    public record Db(Optional<String> url, String user, String password, int poolSize) {
        @Override
        public String toString() {
            return "Db[url=" + url.orElse("(embedded)") + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "****")
                    + ", poolSize=" + poolSize + "]";
        }
    }

    public record Series(Duration quiet, Duration releaseGrace) { }

    public record Worker(int count, Duration lease, int maxAttempts, Duration backoff, Duration backoffMax,
                         Duration poll) {
        /** Delay before attempt {@code attempt + 1} after {@code attempt} failed: backoff x 2^(attempt-1), capped. */
        public Duration backoffAfter(int attempt) {
            long factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
            Duration d = backoff.multipliedBy(factor);
            return d.compareTo(backoffMax) > 0 ? backoffMax : d;
        }
    }

    /**
     * The DICOM TLS port ({@code dicom.tls-*}): our certificate chain and key (PEM), the bundle callers' certificates
     * must chain to (empty only with client authentication NONE), and whether callers must present one.
     */
    public record TlsListener(int port, Path cert, Path key, Optional<Path> trusted, org.ctai.scp.tls.DicomTls.ClientAuth clientAuth) { }

    /** TLS towards one destination: the bundle its certificate must chain to, and our optional client certificate and key. */
    public record TlsPeer(Path trusted, Optional<Path> cert, Optional<Path> key) { }

    /**
     * Where results go: a DICOM AE ({@link AeDestination}) or a DICOMweb server ({@link WebDestination}). Its
     * {@link #toString()} is its identity in the outbox ({@code scp.outbox.destination}): AE@host:port, or
     * {@code dicomweb:} and the base URL, never options or secrets, so rows written before an option changed still
     * find their destination.
     */
    public sealed interface Destination permits AeDestination, WebDestination { }

    /**
     * A C-STORE destination, written AE@host:port (its identity in the outbox), optionally over TLS
     * ({@code ;tls;trusted=...}).
     */
    public record AeDestination(String aeTitle, String host, int port, Optional<TlsPeer> tls) implements Destination {
        /** A plain (non-TLS) destination. */
        public AeDestination(String aeTitle, String host, int port) {
            this(aeTitle, host, port, Optional.empty());
        }

        @Override
        public String toString() { return aeTitle + "@" + host + ":" + port; }
    }

    /**
     * A DICOMweb server, written {@code dicomweb:https://host/path} (its identity in the outbox), with its
     * authentication and, for HTTPS, the PEM bundle its certificate must chain to (empty: the JVM's trust store).
     *
     * @param base the service's base URL, without a trailing slash: STOW-RS posts to {@code base/studies}
     */
    public record WebDestination(java.net.URI base, Optional<WebAuth> auth, Optional<Path> trusted) implements Destination {
        /** Written in front of the URL in configuration and in the outbox. */
        public static final String PREFIX = "dicomweb:";

        @Override
        public String toString() { return PREFIX + base; }
    }

    /**
     * HTTP authentication towards a DICOMweb server, its secret taken from the environment variable {@code variable}
     * at start ({@code ;auth=basic:VAR}, VAR holding {@code user:password}; {@code ;auth=bearer:VAR}, VAR holding the
     * token). {@link #toString()} names the variable, never the secret, so the logged configuration carries none.
     */
    public record WebAuth(Scheme scheme, String variable, String secret) {
        public enum Scheme { BASIC, BEARER }

        /** The Authorization header's value. */
        public String header() {
            return switch (scheme) {
                case BASIC -> "Basic " + java.util.Base64.getEncoder().encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                case BEARER -> "Bearer " + secret;
            };
        }

        @Override
        public String toString() { return scheme.name().toLowerCase(java.util.Locale.ROOT) + ":" + variable + " (secret not shown)"; }
    }

    public record Send(List<Destination> destinations, boolean returnToSender, Optional<String> callingAeTitle,
                       Duration connectTimeout, Duration timeout, int maxAttempts, Duration backoff, double backoffFactor,
                       Duration backoffMax, int count, Duration lease) {
        public Send { destinations = List.copyOf(destinations); }

        /** Delay before the next attempt after {@code attempt} failed: backoff x factor^(attempt-1), capped. */
        public Duration backoffAfter(int attempt) {
            double seconds = backoff.toMillis() / 1000.0 * Math.pow(backoffFactor, Math.max(attempt - 1, 0));
            Duration d = Duration.ofMillis((long) Math.min(seconds * 1000, backoffMax.toMillis()));
            return d.compareTo(backoffMax) > 0 ? backoffMax : d;
        }
    }

    /**
     * Fetching a patient's prior CT studies from the PACS by query/retrieve ({@code priors.*} keys). Off when
     * {@code source} is empty. Checks itself: each problem names the key as the operator writes it and the value.
     *
     * @param source         the PACS's Q/R SCP, AE@host:port, or a DICOMweb server (QIDO-RS, WADO-RS); empty: priors are not fetched
     * @param maxStudies     the newest this many earlier studies of the patient are kept in the history
     * @param maxYears       only studies at most this many years before the study that asked
     * @param sendResults    false: results of priors stay in the history and are not sent to any destination
     * @param maxRetrievals  queries and retrievals in flight at once from this process (one thread each)
     * @param retry          delay after the first failed attempt; doubles each attempt up to {@code retryMax}
     * @param maxAttempts    attempts before a query or retrieval is given up (state failed)
     * @param connectTimeout an association not made by then fails the attempt
     * @param timeout        a PACS that sends nothing for this long on an association fails the attempt
     * @param retrieve       how the series are retrieved: C-MOVE to the node's AE title or C-GET on the query's own association
     */
    public record Priors(Optional<Destination> source, int maxStudies, int maxYears, boolean sendResults, int maxRetrievals,
                         Duration retry, Duration retryMax, int maxAttempts, Duration connectTimeout, Duration timeout, Retrieve retrieve) {
        /** {@code priors.retrieve}: the two ways a PACS hands out a series. */
        public enum Retrieve {
            /** C-MOVE to {@code dicom.ae-title}: the PACS opens its own association to the node's receiver (the default). */
            MOVE,
            /** C-GET: the instances come back on the node's own association, for a PACS that cannot or will not open one. */
            GET;

            /** The word of {@code priors.retrieve}, or empty for any other. */
            public static Optional<Retrieve> of(String word) {
                return switch (word.trim()) {
                    case "move" -> Optional.of(MOVE);
                    case "get" -> Optional.of(GET);
                    default -> Optional.empty();
                };
            }
        }

        public Priors {
            java.util.Objects.requireNonNull(retrieve, "retrieve");
            List<String> problems = new java.util.ArrayList<>();
            if (maxStudies < 1 || maxStudies > 100) problems.add("priors.max-studies must be a whole number from 1 to 100, was " + maxStudies);
            if (maxYears < 1 || maxYears > 100) problems.add("priors.max-years must be a whole number from 1 to 100, was " + maxYears);
            if (maxRetrievals < 1 || maxRetrievals > 16) problems.add("priors.max-retrievals must be a whole number from 1 to 16, was " + maxRetrievals);
            if (maxAttempts < 1 || maxAttempts > 1000) problems.add("priors.max-attempts must be a whole number from 1 to 1000, was " + maxAttempts);
            if (retry.compareTo(retryMax) > 0) {
                problems.add("priors.retry-seconds must be at most priors.retry-max-seconds (" + retryMax.toMillis() / 1000.0 + "), was "
                        + retry.toMillis() / 1000.0);
            }
            if (connectTimeout.isZero() || timeout.isZero()) {
                problems.add("priors.connect-timeout-seconds and priors.timeout-seconds must be more than 0, were "
                        + connectTimeout.toMillis() / 1000.0 + " and " + timeout.toMillis() / 1000.0);
            }
            if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        }

        public boolean enabled() {
            return source.isPresent();
        }

        /** Delay before attempt {@code attempt + 1} after {@code attempt} failed: retry x 2^(attempt-1), capped. */
        public Duration retryAfter(int attempt) {
            long factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
            Duration d = retry.multipliedBy(factor);
            return d.compareTo(retryMax) > 0 || d.isNegative() ? retryMax : d;
        }
    }

    /**
     * The web page, as the viewer module takes it, the largest STOW-RS request accepted ({@code web.stow-max-mb}), and
     * HTTPS: when {@code tls} is present the page listens on {@code web.port} with HTTPS only.
     */
    public record Web(org.ctai.viewer.WebConfig server, long stowMaxBytes, Optional<WebTls> tls) {
        /** The default STOW-RS limit, for a node that sets no other. UNIT: bytes. */
        public static final long DEFAULT_STOW_MAX_BYTES = 2048L * 1024 * 1024;

        public Web(org.ctai.viewer.WebConfig server) {
            this(server, DEFAULT_STOW_MAX_BYTES, Optional.empty());
        }

        /** {@code https} or {@code http}, for the page's address as operators are told it. */
        public String scheme() {
            return tls.isPresent() ? "https" : "http";
        }
    }

    /** The web server's own certificate chain and private key, PEM ({@code web.tls-cert}, {@code web.tls-key}). */
    public record WebTls(Path cert, Path key) { }
}
