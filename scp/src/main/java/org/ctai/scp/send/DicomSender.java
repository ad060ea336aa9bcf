package org.ctai.scp.send;

import org.ctai.scp.config.NodeConfig;

import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.MultipleInstanceTransferStatusHandlerWithFileName;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.StorageSOPClassSCU;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C-STORE SCU for results: one association per delivery, carrying all of a job's objects, with
 * TCP_NODELAY and a read timeout. Reports each object's outcome; warning statuses count as delivered.
 * Thread-safe (no shared state).
 */
public final class DicomSender {
    private static final Logger log = LoggerFactory.getLogger(DicomSender.class);

    /** What one association achieved. */
    record Report(int delivered, int warnings, List<String> failures) {
        boolean complete() {
            return failures.isEmpty();
        }
    }

    private final String callingAeTitle;
    private final Duration connectTimeout;
    private final Duration timeout;

    public DicomSender(String callingAeTitle, Duration connectTimeout, Duration timeout) {
        this.callingAeTitle = callingAeTitle;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
    }

    /** @throws IOException when no association could be made or it broke down; nothing is known delivered then */
    public Report send(NodeConfig.Destination to, List<Outbox.Item> items) throws IOException {
        Association association = associate(to, items);
        try {
            tune(association);
            SetOfDicomFiles files = new SetOfDicomFiles();
            for (Outbox.Item item : items) files.add(item.file().toFile());
            Outcomes outcomes = new Outcomes();
            new StorageSOPClassSCU(association, files, outcomes);
            association.release();
            if (outcomes.seen < items.size()) {
                throw new IOException("association with " + to + " ended after " + outcomes.seen + " of " + items.size() + " objects");
            }
            return new Report(outcomes.delivered, outcomes.warnings, List.copyOf(outcomes.failures));
        } catch (IOException e) {
            abortQuietly(association);
            throw e;
        } catch (Exception e) {
            abortQuietly(association);
            throw new IOException("sending to " + to + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * PixelMed connects without a timeout (an unreachable host would hold the sender for the OS's two minutes),
     * so the association is made on a helper thread that we stop waiting for after {@code send.connect-timeout-seconds}.
     */
    private Association associate(NodeConfig.Destination to, List<Outbox.Item> items) throws IOException {
        Future<Association> pending = CONNECTOR.submit(() -> AssociationFactory.createNewAssociation(to.host(), to.port(), to.aeTitle(),
                callingAeTitle, contexts(items), null, false));
        try {
            return pending.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IOException("no association with " + to + " within " + connectTimeout.toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("association with " + to + " refused or failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while associating with " + to, e);
        }
    }

    private static final ExecutorService CONNECTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dicom-sender-connect");
        t.setDaemon(true);
        return t;
    });

    /** Each SOP class in Explicit and Implicit VR Little Endian; the SCP picks. */
    private static LinkedList<PresentationContext> contexts(List<Outbox.Item> items) {
        Set<String> classes = new LinkedHashSet<>();
        items.forEach(i -> classes.add(i.sopClassUid()));
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        byte id = 1;
        for (String sopClass : classes) {
            contexts.add(new PresentationContext(id, sopClass, TransferSyntax.ExplicitVRLittleEndian));
            id += 2;
            contexts.add(new PresentationContext(id, sopClass, TransferSyntax.ImplicitVRLittleEndian));
            id += 2;
        }
        return contexts;
    }

    /**
     * PixelMed opens the socket itself, without TCP_NODELAY (each small PDU would wait for the peer's delayed
     * ACK) and without a read timeout; set both on its socket.
     */
    private void tune(Association association) {
        try {
            var field = Association.class.getDeclaredField("socket");
            field.setAccessible(true);
            Socket socket = (Socket) field.get(association);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) timeout.toMillis());
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            log.warn("cannot set TCP_NODELAY and the read timeout on PixelMed's socket ({}); sending without them", e.toString());
        }
    }

    private static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (Exception ignored) {
            // the association is already gone; the caller reports the original failure
        }
    }

    /** Tells success, warning and failure apart from PixelMed's running counts. */
    private static final class Outcomes extends MultipleInstanceTransferStatusHandlerWithFileName {
        int seen;
        int delivered;
        int warnings;
        int lastFailed;
        int lastWarning;
        final List<String> failures = new ArrayList<>();

        @Override
        public void updateStatus(int remaining, int completed, int failed, int warning, String sop, String file, boolean success) {
            seen++;
            if (failed > lastFailed || !success) {
                failures.add(sop + " refused by the destination");
            } else {
                delivered++;
                if (warning > lastWarning) {
                    warnings++;
                    log.warn("destination stored {} with a warning status", sop);
                }
            }
            lastFailed = failed;
            lastWarning = warning;
        }

        @Override
        public void updateStatus(int remaining, int completed, int failed, int warning, String sop) {
            // the overload with the outcome does the work
        }
    }
}
