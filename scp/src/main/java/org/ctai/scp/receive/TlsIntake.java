package org.ctai.scp.receive;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS port's intake: JSSE's server handshake blocks, so each new connection's handshake and A-ASSOCIATE-RQ run on
 * a thread of a bounded pool, apart from the association threads. Two rules keep stallers from holding it:
 * <ul>
 * <li>one deadline, {@code dicom.request-timeout-seconds} from accept, for handshake and request together, however
 *     slowly the peer trickles its bytes (a read timeout alone restarts with every byte);</li>
 * <li>when as many connections are in the intake as it has threads, the one that has waited longest is closed to make
 *     room for the newcomer: a real caller is through in milliseconds, so a flood of stallers, from however many
 *     addresses, evicts its own.</li>
 * </ul>
 * Both are reported once as a WARN in {@code org.ctai.scp.peer}, then counted at most once a minute. Thread-safe.
 */
final class TlsIntake implements AutoCloseable {
    private static final Logger peerLog = LoggerFactory.getLogger("org.ctai.scp.peer");

    /** What runs on an intake thread for one connection: the handshake and the request, then {@link Admission#done}. */
    interface Work {
        void run(Admission admission);
    }

    private final ThreadPoolExecutor pool;
    private final int threads;
    private final long timeoutNanos;
    /** Admitted and not done, in arrival order, so in deadline order too. */
    private final ConcurrentLinkedDeque<Admission> inIntake = new ConcurrentLinkedDeque<>();
    private final ScheduledExecutorService deadlines;
    private final FloodReport evictions = new FloodReport(peerLog);
    private final FloodReport expiries = new FloodReport(peerLog);
    private final FloodReport full = new FloodReport(peerLog);

    TlsIntake(int threads, Duration requestTimeout, ThreadFactory intakeThreads, ThreadFactory deadlineThread) {
        this.threads = threads;
        this.timeoutNanos = requestTimeout.toNanos();
        // a short queue: a newcomer waits there the few milliseconds an evicted connection's thread takes to come free
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads), intakeThreads);
        pool.allowCoreThreadTimeOut(true);
        this.deadlines = Executors.newSingleThreadScheduledExecutor(deadlineThread);
        long every = Math.max(50, Math.min(1000, requestTimeout.toMillis() / 10));
        deadlines.scheduleWithFixedDelay(this::expire, every, every, TimeUnit.MILLISECONDS);
    }

    /** Takes a newly accepted connection; false when it could not be taken (the intake is stopping, or its queue is full). */
    boolean admit(Socket plain, String id, PeerLimits.Lease lease, Work work) {
        Admission a = new Admission(plain, id, lease, System.nanoTime() + timeoutNanos);
        if (inIntake.size() >= threads) evictOldest(a);
        inIntake.add(a);
        try {
            pool.execute(() -> {
                if (!a.wasCut()) work.run(a); // else evicted or expired while queued
            });
            return true;
        } catch (RejectedExecutionException e) {
            inIntake.remove(a);
            if (!pool.isShutdown()) {
                full.occurred(() -> id + " dropped: the " + threads + " TLS intake threads and their queue are full; further drops are counted "
                                + "and reported at most once a minute",
                        count -> count + " TLS connections dropped with the intake full in the last minute or more, the latest " + id,
                        () -> id + " dropped: the TLS intake is full");
            }
            return false;
        }
    }

    private void evictOldest(Admission newcomer) {
        Admission oldest = inIntake.pollFirst();
        if (oldest == null || !oldest.cut()) return;
        long waited = (System.nanoTime() - (oldest.deadline - timeoutNanos)) / 1_000_000;
        evictions.occurred(
                () -> oldest.id + " from " + oldest.address() + " closed after " + waited + " ms in its TLS handshake or request, to make room for "
                        + newcomer.id + ": all " + threads + " TLS intake threads are taken (a flood?); further evictions are counted and "
                        + "reported at most once a minute",
                count -> count + " TLS connections closed to make room in the intake in the last minute or more, the latest ("
                        + oldest.id + ") from " + oldest.address(),
                () -> oldest.id + " closed to make room for " + newcomer.id + " in the TLS intake");
    }

    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Admission> it = inIntake.iterator(); it.hasNext(); ) {
            Admission a = it.next();
            if (now - a.deadline < 0) break;
            it.remove();
            if (!a.cut()) continue;
            expiries.occurred(
                    () -> a.id + " TLS connection from " + a.address() + " refused: no TLS handshake and association request within "
                            + timeoutNanos / 1_000_000 + " ms (dicom.request-timeout-seconds); further ones are counted and reported at most "
                            + "once a minute",
                    count -> count + " TLS connections closed without handshake and request within the timeout in the last minute or more, "
                            + "the latest (" + a.id + ") from " + a.address(),
                    () -> a.id + " closed: no TLS handshake and request within the timeout");
        }
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        pool.shutdownNow();
        inIntake.forEach(Admission::cut);
    }

    /**
     * Its request was read and is to be handed on, or it was refused: the connection leaves the intake. False when the
     * intake has cut it meanwhile (then it must not be handed on).
     */
    boolean done(Admission a) {
        boolean mine = a.state.compareAndSet(Admission.IN, Admission.DONE);
        inIntake.remove(a);
        return mine;
    }

    /** One connection in the intake, from accept until its request is handed on or it is refused. */
    static final class Admission {
        private static final int IN = 0, CUT = 1, DONE = 2;
        final Socket plain;
        final String id;
        final PeerLimits.Lease lease;
        private final long deadline;
        private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(IN);

        private Admission(Socket plain, String id, PeerLimits.Lease lease, long deadline) {
            this.plain = plain;
            this.id = id;
            this.lease = lease;
            this.deadline = deadline;
        }

        /** True when the intake closed this connection (evicted, or past its deadline): its failure is reported already. */
        boolean wasCut() {
            return state.get() == CUT;
        }

        /** Closes the connection from outside its thread, so that its blocked handshake or read ends at once. */
        private boolean cut() {
            if (!state.compareAndSet(IN, CUT)) return false;
            try {
                plain.close();
            } catch (IOException ignored) {
                // closing is the point; a failure to close leaves nothing to do
            }
            lease.close();
            return true;
        }

        private String address() {
            return plain.getInetAddress() == null ? "?" : plain.getInetAddress().getHostAddress();
        }
    }
}
