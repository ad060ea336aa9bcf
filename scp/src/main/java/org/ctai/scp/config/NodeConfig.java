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
                         Retention retention, Web web, List<org.ctai.scp.route.Pipeline> pipelines) {
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
     * same checks.
     */
    public record Dicom(String aeTitle, String bind, int port, Set<String> allowedCallers, boolean anyCaller,
                        Set<String> allowedAddresses, int maxAssociations, Duration requestTimeout,
                        Duration idleTimeout, List<String> sopClasses, List<String> transferSyntaxes,
                        Set<String> deniedSopClasses, Optional<TlsListener> tls) {
        /** In {@code dicom.sop-classes}: every storage SOP class, standard or private. */
        public static final String ANY_STORAGE_SOP_CLASS = "*";

        public Dicom {
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
                    transferSyntaxes, deniedSopClasses, Optional.empty());
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
     * A C-STORE destination, written AE@host:port (its identity in the outbox), optionally over TLS
     * ({@code ;tls;trusted=...}).
     */
    public record Destination(String aeTitle, String host, int port, Optional<TlsPeer> tls) {
        /** A plain (non-TLS) destination. */
        public Destination(String aeTitle, String host, int port) {
            this(aeTitle, host, port, Optional.empty());
        }

        @Override
        public String toString() { return aeTitle + "@" + host + ":" + port; }
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

    /** The web page, as the viewer module takes it, and the largest STOW-RS request accepted ({@code web.stow-max-mb}). */
    public record Web(org.ctai.viewer.WebConfig server, long stowMaxBytes) {
        /** The default STOW-RS limit, for a node that sets no other. UNIT: bytes. */
        public static final long DEFAULT_STOW_MAX_BYTES = 2048L * 1024 * 1024;

        public Web(org.ctai.viewer.WebConfig server) {
            this(server, DEFAULT_STOW_MAX_BYTES);
        }
    }
}
