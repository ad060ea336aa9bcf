package org.ctai.scp;

import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationStatusHandler;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCP;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The C-ECHO / C-STORE SCP. Our own accept loop (bind address from the configuration, TCP_NODELAY, a
 * bounded number of associations) vets each A-ASSOCIATE-RQ (called and calling AE title, peer address,
 * free disk) before handing the connection to PixelMed's {@link StorageSOPClassSCP}. Each received
 * instance is made durable by {@link InstanceStore} before PixelMed sends the C-STORE response; if that
 * fails the association is aborted so the sender retries. Thread-safe.
 */
public final class DicomReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DicomReceiver.class);
    /** Aborted associations and malformed PDUs: peer-caused noise, kept out of the main log by default. */
    private static final Logger peerLog = LoggerFactory.getLogger("org.ctai.scp.peer");
    private static final int MAX_PDU_RECEIVED = 65536;
    private static final int ARTIM_AFTER_RELEASE_MS = 500;

    static {
        shortenReleaseTimer();
    }

    /**
     * After answering an A-RELEASE-RQ PixelMed waits a fixed 5 s (its ARTIM timer, a private static with no
     * setter) before it lets go of the connection, so each released association would hold a worker thread and
     * an association slot for 5 s, and stop() would take 5 s. Peers close their end at once; half a second keeps
     * the courtesy wait the timer is for.
     */
    private static void shortenReleaseTimer() {
        try {
            var f = Association.class.getDeclaredField("associationReleaseToTransportConnectionCloseTimeoutInMilliseconds");
            f.setAccessible(true);
            f.setInt(null, ARTIM_AFTER_RELEASE_MS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot shorten PixelMed's 5 s wait after association release ({}); released associations hold their slot 5 s", e.toString());
        }
    }

    private final NodeConfig.Dicom config;
    private final InstanceStore store;
    private final SeriesTracker tracker;
    private final Spool spool;
    private final ContextPolicy policy;
    private final ServerSocket server;
    private final ThreadPoolExecutor associations;
    /** Sends rejections when every association slot is taken, so the accept loop never blocks on a peer. */
    private final ThreadPoolExecutor rejecter;
    private final Thread acceptor;
    private final AtomicLong associationNumbers = new AtomicLong();
    private volatile boolean stopping;

    DicomReceiver(NodeConfig.Dicom config, InstanceStore store, SeriesTracker tracker, Spool spool) throws IOException {
        this.config = config;
        this.store = store;
        this.tracker = tracker;
        this.spool = spool;
        this.policy = new ContextPolicy(config.sopClasses(), config.transferSyntaxes());
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 64);
        this.associations = new ThreadPoolExecutor(config.maxAssociations(), config.maxAssociations(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), named("scp-assoc-"));
        associations.allowCoreThreadTimeOut(true);
        this.rejecter = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), named("scp-reject-"));
        this.acceptor = new Thread(this::acceptLoop, "scp-accept");
    }

    void start() {
        acceptor.start();
        log.info("DICOM SCP {} listening on {}:{}", config.aeTitle(), config.bind(), port());
        if (!config.anyCaller() && config.allowedCallers().isEmpty()) {
            log.warn("dicom.allowed-callers is empty: every association will be rejected; list the PACS's AE title there");
        }
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) log.error("accept failed on port {}: {}", port(), e.toString());
                continue;
            }
            String id = "a" + associationNumbers.incrementAndGet();
            try {
                socket.setTcpNoDelay(true);
                associations.execute(() -> serve(socket, id));
            } catch (RejectedExecutionException e) {
                try {
                    rejecter.execute(() -> rejectAfterRequest(socket, id, AssociationRequest.Rejection.TOO_MANY_ASSOCIATIONS));
                } catch (RejectedExecutionException flood) {
                    peerLog.warn("{} dropped: every association slot and the rejection queue are full", id);
                    closeQuietly(socket);
                }
            } catch (SocketException e) {
                closeQuietly(socket);
            }
        }
    }

    private void rejectAfterRequest(Socket socket, String id, AssociationRequest.Rejection why) {
        try (socket) {
            socket.setSoTimeout((int) config.requestTimeout().toMillis());
            AssociationRequest rq = AssociationRequest.read(socket.getInputStream());
            reject(socket, new AssociationContext(id, rq.callingAeTitle(), peer(socket)), why);
        } catch (IOException e) {
            peerLog.debug("{} closed before it could be rejected: {}", id, e.toString());
        }
    }

    private void serve(Socket socket, String id) {
        AssociationContext ctx = new AssociationContext(id, "?", peer(socket));
        MDC.put("assoc", ctx + " ");
        PerAssociation handler = null;
        try {
            socket.setSoTimeout((int) config.requestTimeout().toMillis());
            AssociationRequest rq = AssociationRequest.read(socket.getInputStream());
            ctx = new AssociationContext(id, rq.callingAeTitle(), peer(socket));
            MDC.put("assoc", ctx + " ");
            AssociationRequest.Rejection rejection = vet(rq, socket);
            if (rejection != null) {
                reject(socket, ctx, rejection);
                return;
            }
            socket.setSoTimeout((int) config.idleTimeout().toMillis());
            PerAssociation h = new PerAssociation(ctx);
            handler = h;
            Runnable onRelease = () -> {
                h.released = true;
                tracker.associationEnded(id, h.failure == null);
            };
            new StorageSOPClassSCP(new PrefixedSocket(socket, rq.pdu(), onRelease), config.aeTitle(), MAX_PDU_RECEIVED, 0, 0,
                    spool.incoming().toFile(), StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER,
                    handler, handler.status, null, null, null, policy).run();
            if (handler.failure != null) {
                // PixelMed cannot answer a failure status: abort, so the sender knows the last instance is not stored
                log.error("{} aborting association: {}", ctx, handler.failure.getMessage());
                send(socket, AssociationRequest.abort());
            } else if (!handler.released) {
                peerLog.info("{} association ended without release ({} instances stored)", ctx, handler.stored);
            } else {
                log.info("{} released after {} instances", ctx, handler.stored);
            }
        } catch (AssociationRequest.MalformedPduException e) {
            peerLog.info("{} not a DICOM association request: {}", ctx, e.getMessage());
        } catch (Exception e) {
            peerLog.info("{} association failed: {}", ctx, e.toString());
        } finally {
            tracker.associationEnded(id, handler != null && handler.released && handler.failure == null);
            closeQuietly(socket);
            MDC.remove("assoc");
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
        return null;
    }

    private void reject(Socket socket, AssociationContext ctx, AssociationRequest.Rejection why) {
        if (why == AssociationRequest.Rejection.DISK_FULL) {
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

    /** Receives PixelMed's callbacks for one association; runs on that association's thread. */
    private final class PerAssociation extends ReceivedObjectHandler {
        final AssociationContext ctx;
        volatile boolean released;
        volatile StoreFailedException failure;
        int stored;
        final AssociationStatusHandler status = new AssociationStatusHandler() {
            @Override
            public void sendAssociationReleaseIndication(Association association) {
                released = true;
            }
        };

        PerAssociation(AssociationContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle) throws IOException {
            try {
                InstanceStore.Outcome outcome = store.store(Path.of(fileName), transferSyntax, ctx);
                if (outcome instanceof InstanceStore.Outcome.Stored s) tracker.instanceStored(ctx.id(), s.seriesId());
                stored++;
            } catch (StoreFailedException e) {
                failure = e;
                // thrown before PixelMed sends the C-STORE response: the sender never sees success for it
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    /**
     * Refuses new associations, waits up to {@code timeout} for the ones in flight to finish their
     * C-STOREs, then closes them.
     *
     * @return true if every association finished in time
     */
    public boolean stop(Duration timeout) {
        stopping = true;
        closeQuietly(server);
        associations.shutdown();
        rejecter.shutdown();
        boolean drained;
        try {
            drained = associations.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!drained) associations.shutdownNow();
            acceptor.join(1000);
        } catch (InterruptedException e) {
            associations.shutdownNow();
            Thread.currentThread().interrupt();
            drained = false;
        }
        return drained;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
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
