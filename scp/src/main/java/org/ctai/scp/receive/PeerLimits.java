package org.ctai.scp.receive;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * Open connections per peer address, over both DICOM ports, from accept to close ({@code dicom.max-connections-per-address}),
 * so that one address (a stalled client that keeps reconnecting, a scanner gone wild) cannot hold the edge. A refusal is
 * logged once as a WARN in {@code org.ctai.scp.peer}, then counted and reported at most once a minute: a flood must not
 * fill the log. Thread-safe.
 */
final class PeerLimits {

    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final FloodReport refusals = new FloodReport(LoggerFactory.getLogger("org.ctai.scp.peer"));

    PeerLimits(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    /** A lease on one connection from {@code peer}, to close when the connection closes; null when {@code peer} is at its limit. */
    Lease tryOpen(InetAddress peer, String id) {
        boolean[] admitted = {false};
        open.compute(peer, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerAddress) return now;
            admitted[0] = true;
            return now + 1;
        });
        if (admitted[0]) return new Lease(peer);
        refused(peer, id);
        return null;
    }

    /** Connections open from {@code peer} now (for tests and diagnostics). */
    int openFrom(InetAddress peer) {
        return open.getOrDefault(peer, 0);
    }

    private void refused(InetAddress peer, String id) {
        refusals.occurred(
                () -> id + " refused: connections from " + peer.getHostAddress() + " over dicom.max-connections-per-address=" + maxPerAddress
                        + " (a client that stalls or keeps reconnecting?); further refusals are counted and reported at most once a minute",
                count -> count + " refused connections over dicom.max-connections-per-address=" + maxPerAddress
                        + " in the last minute or more, the latest (" + id + ") from " + peer.getHostAddress(),
                () -> id + " refused: connections from " + peer.getHostAddress() + " over dicom.max-connections-per-address=" + maxPerAddress);
    }

    /** One admitted connection; closing it (once, however often called) frees its place. */
    final class Lease implements AutoCloseable {
        private final InetAddress peer;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(InetAddress peer) {
            this.peer = peer;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) open.computeIfPresent(peer, (a, n) -> n <= 1 ? null : n - 1);
        }
    }
}
