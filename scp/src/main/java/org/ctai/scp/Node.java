package org.ctai.scp;

import org.ctai.scp.process.ModelPipeline;
import org.ctai.scp.process.PipelineProcessor;
import org.ctai.scp.queue.SeriesRouting;
import org.ctai.scp.route.Pipeline;
import org.ctai.scp.route.PipelineRouting;
import org.ctai.scp.route.Router;


import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.priors.PriorFetcher;
import org.ctai.scp.queue.JobQueue;
import org.ctai.scp.queue.SeriesProcessor;
import org.ctai.scp.queue.SeriesTracker;
import org.ctai.scp.queue.Workers;
import org.ctai.scp.receive.DicomReceiver;
import org.ctai.scp.send.Destinations;
import org.ctai.scp.send.Senders;
import org.ctai.scp.storage.Cleaner;
import org.ctai.scp.storage.Database;
import org.ctai.scp.storage.NodeHeartbeat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;
import java.time.Clock;
import javax.sql.DataSource;
import java.security.GeneralSecurityException;
import org.ctai.scp.tls.DicomTls;
import org.ctai.viewer.Https;
import org.ctai.viewer.NodeStatus;
import org.ctai.viewer.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node: database, spool, DICOM receiver, series tracker and workers, started in dependency
 * order and stopped in reverse (stop taking associations, finish the C-STOREs in flight, stop the
 * workers, close the database). {@link #close()} is idempotent.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    /** The node's software version, as DICOM results and logs report it. */
    public static final String VERSION = "0.1.0";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** A query or retrieval cut by the stop is taken again after its lease, by this or another process. */
    private static final Duration PRIORS_STOP_TIMEOUT = Duration.ofSeconds(2);

    private final NodeConfig config;
    private final Database database;
    private final SeriesTracker tracker;
    private final Workers workers;
    private final Senders senders;
    private final Cleaner cleaner;
    private final WebServer web;
    private final DicomReceiver receiver;
    private final PriorFetcher priors;
    private final String owner;
    private boolean closed;
    /** This node's row in scp.node, for the cluster's health view; written once the node receives. */
    private NodeHeartbeat heartbeat;
    /** Closed after the workers have stopped (the segmentation model). */
    private AutoCloseable closeLast = () -> { };

    private Node(NodeConfig config, Database database, SeriesTracker tracker, Workers workers, Senders senders, Cleaner cleaner,
                 DicomReceiver receiver, WebServer web, String owner, PriorFetcher priors) {
        this.priors = priors;
        this.web = web;
        this.cleaner = cleaner;
        this.senders = senders;
        this.config = config;
        this.database = database;
        this.tracker = tracker;
        this.workers = workers;
        this.receiver = receiver;
        this.owner = owner;
    }

    /**
     * Starts a node that processes every series with {@code processor} (no segmentation model loaded, no routing: for
     * tests and benchmarks of the node's machinery).
     */
    public static Node start(NodeConfig config, SeriesProcessor processor) {
        return start(config, processor, SeriesRouting.EVERY_SERIES, java.util.Map.of(), NodeStatus.of(false, ""));
    }

    private static Node start(NodeConfig config, SeriesProcessor processor, SeriesRouting routing,
                              java.util.Map<String, java.util.List<NodeConfig.Destination>> destinationsByPipeline, NodeStatus status) {
        QuietImagePlugins.install(); // the node's log carries only its own lines
        String host = hostName();
        String owner = host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
        log.info("starting CTAI Node {} with {}", owner, config);
        Database database = Database.open(config.db(), config.data(), "ctai-db");
        SeriesTracker tracker = null;
        Workers workers = null;
        Senders senders = null;
        Cleaner cleaner = null;
        WebServer web = null;
        DicomReceiver receiver = null;
        PriorFetcher priors = null;
        try {
            DataSource ds = database.dataSource();
            // before the receiver cleans the spool of files without rows: in a wrong folder that is every file
            database.checkDataDirectory(config.data().dir());
            JobQueue queue = new JobQueue(ds, config.worker());
            tracker = new SeriesTracker(ds, config.series(), queue, routing, config.retention().unprocessed(), config.data().dir());
            receiver = DicomReceiver.open(config.dicom(), config.data(), ds, database::up, host, tracker);
            workers = new Workers(ds, queue, processor, config.worker(), config.data().dir(), owner,
                    new Destinations(config.send(), destinationsByPipeline), config.retention().unprocessed());
            priors = PriorFetcher.create(ds, config.priors(), config.dicom().aeTitle(), config.pipelines(), Clock.systemDefaultZone(),
                    receiver.retrieved(), config.data().dir().resolve("retrieving").resolve(host + "-" + ProcessHandle.current().pid()));
            workers.hooks(priors);
            senders = Senders.create(ds, config.send(), config.pipelines().stream().flatMap(p -> p.destinations().stream()).toList(),
                    config.dicom().aeTitle(), config.worker().poll(), config.data().dir(), owner);
            // the page first: a configuration it refuses (no users) stops the start before any peer is accepted
            web = new WebServer(config.web().server(), ds, status.withDatabase(database::up, database::downBecause),
                    receiver.stow(config.web().stowMaxBytes()), https(config.web()));
            web.start();
            cleaner = new Cleaner(ds, config.retention(), config.data().dir());
            tracker.start();
            workers.start();
            cleaner.start();
            senders.start();
            receiver.start();
            priors.start(); // after the receiver: the PACS sends the priors to it
            database.supervise();
            Node node = new Node(config, database, tracker, workers, senders, cleaner, receiver, web, owner, priors);
            node.heartbeat = NodeHeartbeat.start(ds, owner, host, config.dicom().bind() + ":" + receiver.port(), VERSION);
            return node;
        } catch (IOException | java.sql.SQLException | RuntimeException e) {
            if (priors != null) priors.stop(Duration.ZERO);
            if (receiver != null) receiver.stop(Duration.ZERO);
            if (workers != null) workers.stop(Duration.ZERO);
            if (senders != null) senders.stop(Duration.ZERO);
            if (cleaner != null) cleaner.close();
            if (web != null) web.close();
            if (tracker != null) tracker.close();
            database.close();
            throw new NodeException("the node could not start: " + e.getMessage(), e);
        }
    }

    /** The page's HTTPS from {@code web.tls-cert} and {@code web.tls-key}, with the node's one TLS policy; empty: plain HTTP. */
    private static java.util.Optional<Https> https(NodeConfig.Web web) throws IOException {
        if (web.tls().isEmpty()) return java.util.Optional.empty();
        NodeConfig.WebTls files = web.tls().get();
        try {
            return java.util.Optional.of(new Https(DicomTls.serverContext(files.cert(), files.key()), DicomTls.PROTOCOLS, DicomTls.CIPHER_SUITES));
        } catch (GeneralSecurityException e) {
            // checked at configuration already: this is a file changed since (the message names it, never its content)
            throw new IOException("web.tls-cert " + files.cert() + " / web.tls-key " + files.key() + " cannot be used for HTTPS: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a node that routes each completed series to the configured pipelines ({@code pipelines},
     * {@code pipeline.<name>.*}) and segments and measures it with each taking pipeline's model; a series no pipeline
     * takes is recorded as ignored.
     *
     * @throws NodeException if a pipeline's model cannot be loaded or does not fit its specification
     */
    public static Node start(NodeConfig config) {
        java.util.Map<String, ModelPipeline> models = new java.util.LinkedHashMap<>();
        java.util.Map<String, java.util.List<NodeConfig.Destination>> destinations = new java.util.LinkedHashMap<>();
        try {
            for (Pipeline p : config.pipelines()) {
                models.put(p.name(), ModelPipeline.open(p.name(), p.model(), config.inference()));
                if (!p.destinations().isEmpty()) destinations.put(p.name(), p.destinations());
            }
        } catch (RuntimeException e) {
            models.values().forEach(ModelPipeline::close);
            throw e;
        }
        if (models.isEmpty()) log.warn("no pipeline is configured (pipelines is empty): every series will be recorded as ignored");
        PipelineProcessor pipelines = models.isEmpty() ? null : new PipelineProcessor(models);
        SeriesProcessor processor = pipelines != null ? pipelines : (job, dir, progress) -> {
            throw new SeriesProcessor.ProcessingException("no pipeline is configured", true, null);
        };
        String provider = models.isEmpty() ? "" : models.values().iterator().next().segmenter().provider().kind().name();
        Node node;
        try {
            node = start(config, processor, new PipelineRouting(new Router(config.pipelines())), destinations,
                    NodeStatus.of(!models.isEmpty(), provider));
        } catch (RuntimeException e) {
            if (pipelines != null) pipelines.close();
            throw e;
        }
        if (pipelines != null) node.closeLast = pipelines;
        return node;
    }

    public int dicomPort() {
        return receiver.port();
    }

    /** The bound DICOM TLS port, or 0 when {@code dicom.tls-port} is off. */
    public int dicomTlsPort() {
        return receiver.tlsPort();
    }

    /** The web page's bound port (useful when configured as 0). */
    public int webPort() {
        return web.port();
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    public NodeConfig config() {
        return config;
    }

    /** The name this process uses as lease owner in the job queue. */
    public String owner() {
        return owner;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("stopping: no new associations, finishing those in flight");
        if (heartbeat != null) heartbeat.close();
        web.close();
        priors.stop(PRIORS_STOP_TIMEOUT);
        if (!receiver.stop(DRAIN_TIMEOUT)) log.warn("associations still open after {} s were cut", DRAIN_TIMEOUT.toSeconds());
        tracker.close();
        cleaner.close();
        workers.stop(WORKER_STOP_TIMEOUT);
        senders.stop(WORKER_STOP_TIMEOUT);
        try {
            closeLast.close();
        } catch (Exception e) {
            log.warn("closing the model failed: {}", e.toString());
        }
        database.close();
        log.info("stopped; uptime {} s", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
    }
}
