package org.ctai.scp;

import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.PresentationContext;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain associations the node requests with PixelMed (results to a destination, queries and retrievals of priors),
 * with the two things PixelMed leaves out: a connect timeout, and TCP_NODELAY plus a read timeout on its socket.
 * Thread-safe.
 */
public final class PixelMedAssociations {
    private static final Logger log = LoggerFactory.getLogger(PixelMedAssociations.class);
    private static final ExecutorService CONNECTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dicom-connect");
        t.setDaemon(true);
        return t;
    });

    private PixelMedAssociations() {
    }

    /**
     * Opens an association to {@code peer} (named so in failures). PixelMed connects without a timeout (an unreachable
     * host would hold the caller for the OS's two minutes), so it connects on a helper thread that is no longer waited
     * for after {@code connectTimeout}; the socket then gets TCP_NODELAY (each small PDU would otherwise wait for the
     * peer's delayed ACK) and {@code readTimeout}.
     */
    public static Association open(String host, int port, String calledAeTitle, String callingAeTitle, LinkedList<PresentationContext> contexts,
                                   Duration connectTimeout, Duration readTimeout, Object peer) throws IOException {
        Future<Association> pending = CONNECTOR.submit(() ->
                AssociationFactory.createNewAssociation(host, port, calledAeTitle, callingAeTitle, contexts, null, false));
        Association association;
        try {
            association = pending.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IOException("no association with " + peer + " within " + connectTimeout.toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("association with " + peer + " refused or failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while associating with " + peer, e);
        }
        tune(association, readTimeout);
        return association;
    }

    private static void tune(Association association, Duration readTimeout) {
        try {
            var field = Association.class.getDeclaredField("socket");
            field.setAccessible(true);
            Socket socket = (Socket) field.get(association);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            // without the read timeout a peer that hangs holds this one caller's thread; the node goes on
            log.warn("cannot set TCP_NODELAY and the read timeout on PixelMed's socket ({}); going on without them", e.toString());
        }
    }

    /** Aborts after a failure; an association already gone is no news (the caller reports the original failure). */
    public static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (Exception ignored) {
            // already gone
        }
    }
}
