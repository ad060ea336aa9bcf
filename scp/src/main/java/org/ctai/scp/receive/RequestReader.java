package org.ctai.scp.receive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the A-ASSOCIATE-RQ of every new plain connection on one thread ({@code scp-request-reader}) with a selector, so
 * that a caller who connects and then stalls or trickles holds neither an association slot nor a thread: only a socket
 * and a few bytes, for at most {@code dicom.request-timeout-seconds}. A complete request goes to the {@link Handoff} on
 * this thread (which must not block); a malformed one is aborted, a stalled one closed. At most
 * {@code dicom.max-pending-requests} connections wait at once, from however many addresses: over it, the one that has
 * waited longest is closed to make room (a legitimate caller sends its request in milliseconds, so a flood of stallers
 * evicts its own), reported once and then counted. Thread-safe: {@link #add} from any thread, the rest runs on the
 * reader's thread.
 */
final class RequestReader implements Runnable, AutoCloseable {
    private static final Logger peerLog = LoggerFactory.getLogger("org.ctai.scp.peer");

    /** Where a complete request goes; owns the channel (blocking again) and the lease from then on. */
    interface Handoff {
        void requestRead(SocketChannel channel, String id, AssociationRequest request, PeerLimits.Lease lease);
    }

    private final Selector selector;
    private final long timeoutNanos;
    private final int maxPending;
    private final FloodReport evictions = new FloodReport(peerLog);
    private final Handoff handoff;
    private final Queue<Pending> added = new ConcurrentLinkedQueue<>();
    /** In arrival order, so in deadline order too (one timeout for all); touched only by the reader's thread. */
    private final LinkedHashSet<Pending> pending = new LinkedHashSet<>();

    RequestReader(Duration requestTimeout, int maxPending, Handoff handoff) throws IOException {
        this.selector = Selector.open();
        this.timeoutNanos = requestTimeout.toNanos();
        this.maxPending = maxPending;
        this.handoff = handoff;
    }

    /** Takes a newly accepted connection (and its lease) and reads its request within the request timeout. */
    void add(SocketChannel channel, String id, PeerLimits.Lease lease) {
        Pending p = new Pending(channel, id, lease, System.nanoTime() + timeoutNanos);
        if (!selector.isOpen()) {
            p.drop(); // stopping
            return;
        }
        added.add(p);
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (selector.isOpen()) {
                long wait = pending.isEmpty() ? 0 : Math.max(1, (pending.iterator().next().deadline - System.nanoTime()) / 1_000_000);
                selector.select(wait);
                register();
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    read((Pending) key.attachment());
                }
                expire();
            }
        } catch (ClosedSelectorException stopped) {
            // closed by close(): the receiver is stopping
        } catch (IOException | RuntimeException e) {
            peerLog.error("the association request reader stopped: {}; the plain DICOM port accepts no more associations", e.toString(), e);
        } finally {
            pending.forEach(p -> p.drop());
            Pending p;
            while ((p = added.poll()) != null) p.drop();
        }
    }

    private void register() {
        Pending p;
        while ((p = added.poll()) != null) {
            if (pending.size() >= maxPending) evictOldest(p);
            try {
                p.channel.configureBlocking(false);
                p.channel.register(selector, SelectionKey.OP_READ, p);
                pending.add(p);
            } catch (IOException e) {
                peerLog.debug("{} closed before its request was read: {}", p.id, e.toString());
                p.drop();
            }
        }
    }

    private void read(Pending p) {
        try {
            int n = p.channel.read(p.buffer);
            if (n < 0) {
                peerLog.debug("{} closed before its A-ASSOCIATE-RQ was complete ({} bytes)", p.id, p.buffer.position());
                finish(p).drop();
                return;
            }
            if (p.buffer.hasRemaining()) return;
            if (p.buffer.capacity() == 6) {
                long length = AssociationRequest.length(p.buffer.array());
                ByteBuffer whole = ByteBuffer.allocate(6 + (int) length);
                whole.put(p.buffer.flip());
                p.buffer = whole;
                read(p); // the rest may be here already
                return;
            }
            finish(p);
            p.channel.configureBlocking(true);
            AssociationRequest rq = AssociationRequest.read(new ByteArrayInputStream(p.buffer.array()));
            handoff.requestRead(p.channel, p.id, rq, p.lease);
        } catch (AssociationRequest.MalformedPduException e) {
            peerLog.info("{} protocol error, aborting: {}", p.id, e.getMessage());
            finish(p);
            try {
                p.channel.write(ByteBuffer.wrap(AssociationRequest.abort()));
            } catch (IOException ignored) {
                // the abort is a courtesy
            }
            p.drop();
        } catch (IOException e) {
            peerLog.debug("{} failed before its A-ASSOCIATE-RQ was complete: {}", p.id, e.toString());
            finish(p).drop();
        } catch (RuntimeException e) {
            // one connection's bug must not stop the reader: every later caller of the plain port would be kept out
            LoggerFactory.getLogger(RequestReader.class).error("{} dropped: reading its association request failed", p.id, e);
            finish(p).drop();
        }
    }

    private void evictOldest(Pending newcomer) {
        Pending oldest = finish(pending.iterator().next());
        long waited = (System.nanoTime() - (oldest.deadline - timeoutNanos)) / 1_000_000;
        evictions.occurred(
                () -> oldest.id + " from " + oldest.address() + " closed after " + waited + " ms without a complete A-ASSOCIATE-RQ, to make room for "
                        + newcomer.id + ": " + maxPending + " connections (dicom.max-pending-requests) are waiting to send theirs (a flood?); "
                        + "further evictions are counted and reported at most once a minute",
                count -> count + " connections closed to make room over dicom.max-pending-requests=" + maxPending
                        + " in the last minute or more, the latest (" + oldest.id + ") from " + oldest.address(),
                () -> oldest.id + " closed to make room for " + newcomer.id + " over dicom.max-pending-requests=" + maxPending);
        oldest.drop();
    }

    private Pending finish(Pending p) {
        SelectionKey key = p.channel.keyFor(selector);
        if (key != null) key.cancel();
        pending.remove(p);
        return p;
    }

    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.deadline < 0) break;
            it.remove();
            SelectionKey key = p.channel.keyFor(selector);
            if (key != null) key.cancel();
            peerLog.debug("{} closed: no complete A-ASSOCIATE-RQ within {} ms ({} bytes)", p.id, timeoutNanos / 1_000_000, p.buffer.position());
            p.drop();
        }
    }

    /** Connections whose request is being read now. Only meaningful on the reader's thread or after it ended. */
    int pending() {
        return pending.size() + added.size();
    }

    /** Stops the reader: the connections still waiting for their request are closed by its thread. */
    @Override
    public void close() throws IOException {
        selector.close();
    }

    /** One connection whose request is not complete yet: first the 6-byte PDU header, then the whole PDU. */
    private static final class Pending {
        final SocketChannel channel;
        final String id;
        final PeerLimits.Lease lease;
        final long deadline;
        ByteBuffer buffer = ByteBuffer.allocate(6);

        Pending(SocketChannel channel, String id, PeerLimits.Lease lease, long deadline) {
            this.channel = channel;
            this.id = id;
            this.lease = lease;
            this.deadline = deadline;
        }

        String address() {
            java.net.Socket s = channel.socket();
            return s.getInetAddress() == null ? "?" : s.getInetAddress().getHostAddress();
        }

        void drop() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // dropping a connection that failed already
            } finally {
                lease.close();
            }
        }
    }
}
