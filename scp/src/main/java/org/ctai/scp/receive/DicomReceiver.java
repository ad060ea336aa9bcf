package org.ctai.scp.receive;

import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.queue.SeriesTracker;
import org.ctai.scp.tls.DicomTls;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-ECHO / C-STORE SCP. Our own accept loop (bind address from the configuration, TCP_NODELAY, a
 * bounded number of associations, a bounded number of connections per peer address, the association request read
 * by one selector thread so that a stalled caller holds no thread) vets each A-ASSOCIATE-RQ (called and calling AE title, peer address,
 * free disk), negotiates the presentation contexts ({@link Negotiation}) and runs the data transfer
 * ({@link StoreAssociation}): each dataset is streamed into a file and handed to the {@link Intake} before the
 * C-STORE response; an instance that cannot be taken is answered with status A700. Thread-safe.
 */
public final class DicomReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DicomReceiver.class);
    /** Aborted associations and malformed PDUs: peer-caused noise, kept out of the main log by default. */
    private static final Logger peerLog = LoggerFactory.getLogger("org.ctai.scp.peer");
    /** The longest P-DATA-TF we accept: larger PDUs mean fewer per 0.5 MB CT image. */
    private static final int MAX_PDU_RECEIVED = 1 << 18;
    private static final int ARTIM_AFTER_RELEASE_MS = 500;
    /** How soon an acknowledged instance whose indexing failed (database away) is tried again. */
    private static final Duration INDEX_RETRY = Duration.ofSeconds(1);

    private final NodeConfig.Dicom config;
    private final SopClassPolicy sopClasses;
    private final Intake intake;
    private final SeriesTracker tracker;
    private final Spool spool;
    /** False while the database is known away: new associations are refused (transient), as the PACS retries them. */
    private final BooleanSupplier databaseUp;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor associations;
    /** Open connections per peer address, both ports together ({@code dicom.max-connections-per-address}). */
    private final PeerLimits peers;
    /** Reads the plain port's association requests without a thread per connection, then hands them to {@link #associations}. */
    private final RequestReader requests;
    private final Thread requestReader;
    private final Thread acceptor;
    /**
     * The DICOM TLS port ({@code dicom.tls-port}), its TLS side, its accept loop, and the threads that run its handshakes
     * and read its requests before an association slot is taken; all null when it is off.
     */
    private final ServerSocketChannel tlsServer;
    private final DicomTls tls;
    private final Thread tlsAcceptor;
    private final TlsIntake tlsIntake;
    /** TLS handshake refusals, each reason reported once and then counted: a flood of them must not fill the log. */
    private final HandshakeRefusals handshakeRefusals = new HandshakeRefusals();
    private final AtomicLong associationNumbers = new AtomicLong();
    private volatile boolean stopping;
    private boolean intakeClosed;

    /**
     * Opens the spool under {@code data}, indexes the instances a previous run acknowledged but left
     * unindexed, drops its partial transfers, and binds the DICOM port; {@link #start()} then accepts
     * associations. With {@code data.fsync} each instance is committed before its C-STORE response,
     * otherwise it is indexed right after.
     */
    public static DicomReceiver open(NodeConfig.Dicom config, NodeConfig.Data data, DataSource db, BooleanSupplier databaseUp, String host,
                                     SeriesTracker tracker) throws IOException {
        Spool spool = new Spool(data, host);
        InstanceStore store = new InstanceStore(db, spool, databaseUp);
        Spool.Leftovers left = spool.leftovers(host);
        if (left.dropped() > 0) log.info("dropped {} partial transfers left by the previous run (never acknowledged)", left.dropped());
        if (!left.acknowledged().isEmpty()) {
            log.info("indexed {} of {} acknowledged instances left by the previous run", Indexer.recover(store, left.acknowledged()),
                    left.acknowledged().size());
        }
        spool.removeEmptyDeadFolders(host);
        removeOrphans(store, spool, host);
        Intake intake = data.fsync() ? new Intake.Immediate(store) : new Indexer(store, INDEX_RETRY);
        try {
            return new DicomReceiver(config, intake, tracker, spool, databaseUp);
        } catch (IOException | RuntimeException e) {
            intake.close();
            throw e;
        }
    }

    /** How long a file another process placed in the spool may wait for its row before it counts as orphaned. */
    private static final Duration ORPHAN_AGE_WITH_OTHERS = Duration.ofMinutes(10);

    /**
     * Deletes spool files without rows ({@link InstanceStore#removeOrphans}); when other processes may share the
     * spool, only those older than {@link #ORPHAN_AGE_WITH_OTHERS}. A failure here is logged, not fatal.
     */
    private static void removeOrphans(InstanceStore store, Spool spool, String host) {
        try {
            Instant before = spool.sharedWithOthers(host) ? Instant.now().minus(ORPHAN_AGE_WITH_OTHERS) : Instant.now().plusSeconds(1);
            int n = store.removeOrphans(before);
            if (n > 0) log.info("deleted {} spool files that no instance row names (placed, never committed)", n);
        } catch (IOException | SQLException e) {
            log.warn("cannot look for orphaned spool files: {}", e.toString());
        }
    }

    DicomReceiver(NodeConfig.Dicom config, Intake intake, SeriesTracker tracker, Spool spool, BooleanSupplier databaseUp) throws IOException {
        this.databaseUp = databaseUp;
        this.config = config;
        this.sopClasses = SopClassPolicy.of(config);
        this.intake = intake;
        this.tracker = tracker;
        this.spool = spool;
        // channels, so that an association's data can go from socket to file through direct buffers
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 64);
        this.associations = new ThreadPoolExecutor(config.maxAssociations(), config.maxAssociations(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), named("scp-assoc-"));
        associations.allowCoreThreadTimeOut(true);
        this.peers = new PeerLimits(config.maxConnectionsPerAddress());
        try {
            this.requests = new RequestReader(config.requestTimeout(), config.maxPendingRequests(), (channel, id, rq, lease) -> requestRead(channel.socket(), id, rq, lease));
        } catch (IOException e) {
            closeQuietly(server);
            throw e;
        }
        this.requestReader = new Thread(requests, "scp-request-reader");
        requestReader.setDaemon(true);
        this.acceptor = new Thread(() -> acceptLoop(server, null), "scp-accept");
        if (config.tls().isPresent()) {
            NodeConfig.TlsListener t = config.tls().get();
            try {
                this.tls = DicomTls.server(t.cert(), t.key(), t.trusted(), t.clientAuth());
            } catch (GeneralSecurityException e) {
                closeQuietly(requests);
                closeQuietly(server);
                throw new IOException("cannot set up DICOM TLS from dicom.tls-cert " + t.cert() + " and dicom.tls-key " + t.key() + ": "
                        + e.getMessage(), e);
            }
            this.tlsServer = ServerSocketChannel.open();
            try {
                tlsServer.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tlsServer.bind(new InetSocketAddress(InetAddress.getByName(config.bind()), t.port()), 64);
            } catch (IOException e) {
                closeQuietly(tlsServer);
                closeQuietly(requests);
                closeQuietly(server);
                throw new IOException("cannot listen on dicom.tls-port " + t.port() + ": " + e.getMessage(), e);
            }
            this.tlsAcceptor = new Thread(() -> acceptLoop(tlsServer, tls), "scp-accept-tls");
            // blocking handshakes need a thread each: their own bounded pool, so TLS stallers hold no association slot;
            // larger than one address may hold, so that one address's stalled handshakes leave threads for the others
            int intakeThreads = config.maxAssociations() + config.maxConnectionsPerAddress();
            this.tlsIntake = new TlsIntake(intakeThreads, config.requestTimeout(), named("scp-tls-intake-"), named("scp-tls-deadlines"));
        } else {
            this.tls = null;
            this.tlsServer = null;
            this.tlsAcceptor = null;
            this.tlsIntake = null;
        }
    }

    public void start() {
        requestReader.start();
        acceptor.start();
        log.info("DICOM SCP {} listening on {}:{}", config.aeTitle(), config.bind(), port());
        if (tlsAcceptor != null) {
            tlsAcceptor.start();
            NodeConfig.TlsListener t = config.tls().get();
            log.info("DICOM TLS SCP {} listening on {}:{} (TLS 1.2/1.3, BCP 195 suites; client certificate {}{})", config.aeTitle(), config.bind(),
                    tlsPort(), t.clientAuth().name().toLowerCase(java.util.Locale.ROOT), t.trusted().map(f -> ", trusted: " + f).orElse(""));
        }
        if (!config.anyCaller() && config.allowedCallers().isEmpty()) {
            log.warn("dicom.allowed-callers is empty: every association will be rejected; list the PACS's AE title there");
        }
    }

    /**
     * STOW-RS into this receiver's intake (the web server's {@code POST /dicomweb/studies}): the same checks of SOP
     * class and transfer syntax, durability and series completion as C-STORE.
     */
    public org.ctai.viewer.StowReceiver stow(long maxRequestBytes) {
        return new StowIntake(config, intake, spool, tracker, maxRequestBytes, () -> stopping, StowIntake.Kind.STOW_RS);
    }

    /**
     * Instances the node retrieves itself from a PACS, with C-GET ({@code priors.retrieve=get}) or WADO-RS (a
     * {@code dicomweb:} {@code priors.source}), one Part 10 stream each, into this receiver's intake: the same SOP class and transfer syntax checks, durability ({@code data.fsync})
     * and series completion as a C-STORE, so a retrieved instance is stored before its retrieval counts. One
     * {@link org.ctai.viewer.StowReceiver.Request} per C-GET association or WADO-RS response; its end counts as an association's release.
     */
    public org.ctai.viewer.StowReceiver retrieved() {
        return new StowIntake(config, intake, spool, tracker, Long.MAX_VALUE, () -> stopping, StowIntake.Kind.RETRIEVAL);
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.socket().getLocalPort();
    }

    /** The bound DICOM TLS port, or 0 when {@code dicom.tls-port} is off. */
    public int tlsPort() {
        return tlsServer == null ? 0 : tlsServer.socket().getLocalPort();
    }

    /**
     * Accepts connections on {@code listener}; {@code tls} is null on the plain port. Nothing here waits for a peer: a
     * caller over {@code dicom.max-connections-per-address} is refused at once, a plain connection goes to the request
     * reader, a TLS one to a TLS intake thread.
     */
    private void acceptLoop(ServerSocketChannel listener, DicomTls tls) {
        while (listener.isOpen()) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (listener.isOpen()) log.error("accept failed on port {}: {}", listener.socket().getLocalPort(), e.toString());
                continue;
            }
            Socket socket = channel.socket();
            String id = (tls == null ? "a" : "t") + associationNumbers.incrementAndGet();
            PeerLimits.Lease lease = peers.tryOpen(socket.getInetAddress(), id);
            if (lease == null) {
                refuseUnread(channel, tls != null);
                continue;
            }
            try {
                socket.setTcpNoDelay(true);
            } catch (SocketException e) {
                closeQuietly(socket);
                lease.close();
                continue;
            }
            if (tls == null) {
                requests.add(channel, id, lease);
            } else if (!tlsIntake.admit(socket, id, lease, admission -> readOverTls(admission, tls))) {
                closeQuietly(socket);
                lease.close();
            }
        }
    }

    /**
     * A caller over its address's limit: answered without reading its request (the plain port's A-ASSOCIATE-RJ, transient,
     * local limit exceeded, is ten bytes that fit any fresh socket's buffer; a TLS caller cannot be answered before a
     * handshake, so it is only closed). What has already arrived is discarded without waiting, since unread bytes would
     * make the close a reset that can destroy the reject before the caller reads it; whatever comes later still may.
     */
    private static void refuseUnread(SocketChannel channel, boolean tls) {
        try (channel) {
            channel.configureBlocking(false);
            ByteBuffer discard = ByteBuffer.allocate(1024);
            for (int i = 0; i < 64 && channel.read(discard.clear()) > 0; i++) {
                // at most 64 kB: a caller that keeps sending gets its reset
            }
            if (!tls) {
                channel.write(ByteBuffer.wrap(AssociationRequest.reject(AssociationRequest.Rejection.TOO_MANY_ASSOCIATIONS)));
                channel.shutdownOutput();
            }
        } catch (IOException e) {
            // the refusal is a courtesy
        }
    }

    /** On a TLS intake thread: the handshake, then the request, within {@code dicom.request-timeout-seconds} from accept. */
    private void readOverTls(TlsIntake.Admission admission, DicomTls tls) {
        String id = admission.id;
        PeerLimits.Lease lease = admission.lease;
        Socket socket = handshake(admission, tls);
        if (socket == null) {
            tlsIntake.done(admission);
            lease.close();
            return;
        }
        try {
            socket.setSoTimeout((int) config.requestTimeout().toMillis());
            AssociationRequest rq = AssociationRequest.read(socket.getInputStream());
            if (!tlsIntake.done(admission)) {
                closeQuietly(socket); // cut by the intake while its request came in: reported there
                return;
            }
            requestRead(socket, id, rq, lease);
        } catch (AssociationRequest.MalformedPduException e) {
            tlsIntake.done(admission);
            peerLog.info("{} protocol error, aborting: {}", id, e.getMessage());
            sendAndClose(socket, AssociationRequest.abort());
            lease.close();
        } catch (IOException e) {
            tlsIntake.done(admission);
            if (!admission.wasCut()) peerLog.debug("{} closed before its A-ASSOCIATE-RQ was complete: {}", id, e.toString());
            closeQuietly(socket);
            lease.close();
        }
    }

    /**
     * A complete A-ASSOCIATE-RQ (on the request reader's or a TLS intake thread, so nothing here may wait for the peer):
     * served on an association thread, or, when every one is busy, rejected at once.
     */
    private void requestRead(Socket socket, String id, AssociationRequest rq, PeerLimits.Lease lease) {
        try {
            associations.execute(() -> serve(socket, id, rq, lease));
        } catch (RejectedExecutionException e) {
            AssociationRequest.Rejection why = stopping ? AssociationRequest.Rejection.SHUTTING_DOWN : AssociationRequest.Rejection.TOO_MANY_ASSOCIATIONS;
            log.warn("{} association rejected: {}", new AssociationContext(id, rq.callingAeTitle(), peer(socket)), why.description);
            sendAndClose(socket, AssociationRequest.reject(why));
            lease.close();
        }
    }

    /** Sends a short PDU (a reject or an abort fits the socket buffer) and closes at once. */
    private static void sendAndClose(Socket socket, byte[] pdu) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(pdu);
            out.flush();
            if (!(socket instanceof javax.net.ssl.SSLSocket)) socket.shutdownOutput();
        } catch (IOException e) {
            peerLog.debug("could not send PDU to {}: {}", socket.getRemoteSocketAddress(), e.toString());
        }
    }

    /**
     * The server side of the TLS handshake, within {@code dicom.request-timeout-seconds}: the TLS socket, or null
     * after logging why the connection was refused (plaintext, no or an untrusted certificate, a stalled peer).
     */
    private Socket handshake(TlsIntake.Admission admission, DicomTls tls) {
        Socket plain = admission.plain;
        String id = admission.id;
        try {
            Socket s = tls.accept(plain, config.requestTimeout());
            peerLog.debug("{} TLS {} {} from {}", id, ((javax.net.ssl.SSLSocket) s).getSession().getProtocol(),
                    ((javax.net.ssl.SSLSocket) s).getSession().getCipherSuite(), peer(plain));
            return s;
        } catch (IOException e) {
            closeQuietly(plain);
            if (admission.wasCut()) return null; // evicted or past its deadline: the intake reported it
            String why = DicomTls.explain(e);
            String from = peer(plain);
            handshakeRefusals.of(why).occurred(
                    () -> id + " TLS connection from " + from + " refused: " + why + " (the same refusal again is counted and reported at most once a minute)",
                    count -> count + " TLS connections refused in the last minute or more: " + why + "; the latest " + id + " from " + from,
                    () -> id + " TLS connection from " + from + " refused: " + why);
            return null;
        }
    }

    /** On an association thread, with the request read: vet it, negotiate, run the data transfer. */
    private void serve(Socket socket, String id, AssociationRequest rq, PeerLimits.Lease lease) {
        AssociationContext ctx = new AssociationContext(id, rq.callingAeTitle(), peer(socket));
        boolean released = false;
        try {
            AssociationRequest.Rejection rejection = vet(rq, socket);
            if (rejection != null) {
                reject(socket, ctx, rejection);
                return;
            }
            Negotiation negotiation = Negotiation.parse(rq.pdu());
            List<Negotiation.Answer> answers = negotiation.answer(sopClasses, config.transferSyntaxes());
            OutputStream out = socket.getOutputStream();
            out.write(Negotiation.accept(rq, answers, MAX_PDU_RECEIVED));
            out.flush();
            StoreAssociation association = new StoreAssociation(socket, config.idleTimeout(), ctx,
                    Negotiation.accepted(answers), intake, spool, outcome -> {
                        if (outcome instanceof InstanceStore.Outcome.Stored s) tracker.instanceStored(id, s.seriesId());
                    }, MAX_PDU_RECEIVED);
            StoreAssociation.Ending ending = association.run();
            released = ending == StoreAssociation.Ending.RELEASED;
            intake.settle(); // the tracker hears of every instance before it hears of the end
            if (released) {
                // completion runs from the release, not from the connection's close
                tracker.associationEnded(id, true);
                log.info("{} released after {} instances", ctx, association.stored());
                awaitPeerClose(socket);
            } else {
                peerLog.info("{} association ended without release ({}; {} instances stored)", ctx, ending, association.stored());
            }
        } catch (AssociationRequest.MalformedPduException e) {
            peerLog.info("{} protocol error, aborting: {}", ctx, e.getMessage());
            send(socket, AssociationRequest.abort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            peerLog.info("{} association failed: {}", ctx, e.toString());
        } finally {
            if (!released) {
                settleQuietly();
                tracker.associationEnded(id, false);
            }
            closeQuietly(socket);
            lease.close();
        }
    }

    private void settleQuietly() {
        try {
            intake.settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After the A-RELEASE-RP the requester closes first (PS3.8 ARTIM): give it a moment, so our close does not reset. */
    private static void awaitPeerClose(Socket socket) {
        try {
            socket.setSoTimeout(ARTIM_AFTER_RELEASE_MS);
            socket.getInputStream().skip(Long.MAX_VALUE);
        } catch (IOException e) {
            // timed out or reset: either way the association is over
        }
    }

    /** @return why the association must be rejected, or null to accept it */
    private AssociationRequest.Rejection vet(AssociationRequest rq, Socket socket) {
        if (stopping) return AssociationRequest.Rejection.SHUTTING_DOWN;
        if (!config.aeTitle().equals(rq.calledAeTitle())) return AssociationRequest.Rejection.CALLED_AE_NOT_RECOGNIZED;
        if (!config.admitsCaller(rq.callingAeTitle())) return AssociationRequest.Rejection.CALLING_AE_NOT_RECOGNIZED;
        if (!config.allowedAddresses().isEmpty() && !config.allowedAddresses().contains(socket.getInetAddress().getHostAddress())) {
            return AssociationRequest.Rejection.CALLING_AE_NOT_RECOGNIZED;
        }
        if (spool.belowFloor()) return AssociationRequest.Rejection.DISK_FULL;
        if (!databaseUp.getAsBoolean()) return AssociationRequest.Rejection.DATABASE_AWAY;
        return null;
    }

    private void reject(Socket socket, AssociationContext ctx, AssociationRequest.Rejection why) {
        if (why == AssociationRequest.Rejection.DATABASE_AWAY) {
            log.warn("{} association rejected (transient): {}", ctx, why.description);
        } else if (why == AssociationRequest.Rejection.DISK_FULL) {
            log.warn("{} association rejected (transient): {}; free space on {} will be checked again at the next association",
                    ctx, why.description, spool.root());
        } else {
            log.warn("{} association rejected: {}", ctx, why.description);
        }
        send(socket, AssociationRequest.reject(why));
    }

    private static void send(Socket socket, byte[] pdu) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(pdu);
            out.flush();
            socket.shutdownOutput();
            // let the peer read the PDU and close first, so our close does not reset it away
            socket.setSoTimeout(2000);
            socket.getInputStream().skip(Long.MAX_VALUE);
        } catch (IOException e) {
            peerLog.debug("could not send PDU to {}: {}", socket.getRemoteSocketAddress(), e.toString());
        }
    }

    /**
     * Refuses new associations, waits up to {@code timeout} for the ones in flight to finish their
     * C-STOREs, then closes them and finishes indexing what they acknowledged.
     *
     * @return true if every association finished in time
     */
    public synchronized boolean stop(Duration timeout) {
        stopping = true;
        closeQuietly(server);
        if (tlsServer != null) closeQuietly(tlsServer);
        closeQuietly(requests); // its thread closes the connections still sending their request
        if (tlsIntake != null) tlsIntake.close();
        associations.shutdown();
        boolean drained;
        try {
            requestReader.join(1000);
            drained = associations.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!drained) associations.shutdownNow();
            acceptor.join(1000);
            if (tlsAcceptor != null) tlsAcceptor.join(1000);
        } catch (InterruptedException e) {
            associations.shutdownNow();
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!intakeClosed) {
            intakeClosed = true;
            intake.close();
        }
        return drained;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    /** A {@link FloodReport} per refusal reason; reasons past the first 64 (certificate subjects vary) share one. */
    private static final class HandshakeRefusals {
        private static final int MAX_REASONS = 64;
        private final java.util.concurrent.ConcurrentHashMap<String, FloodReport> byReason = new java.util.concurrent.ConcurrentHashMap<>();
        private final FloodReport others = new FloodReport(peerLog);

        FloodReport of(String reason) {
            FloodReport r = byReason.get(reason);
            if (r != null) return r;
            return byReason.size() >= MAX_REASONS ? others : byReason.computeIfAbsent(reason, k -> new FloodReport(peerLog));
        }
    }

    private static String peer(Socket s) {
        return s.getInetAddress() == null ? "?" : s.getInetAddress().getHostAddress() + ":" + s.getPort();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after failure; the original problem is already logged
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
