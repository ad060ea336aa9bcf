package org.ctai.scp;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code send.count} threads that take deliveries from the {@link Outbox} and send them with the
 * {@link DicomSender}. A delivery cut off by a crash is taken again when its lease runs out, so pending
 * sends resume after a restart.
 */
final class Senders {
    private static final Logger log = LoggerFactory.getLogger(Senders.class);

    private final Outbox outbox;
    private final DicomSender sender;
    private final Duration poll;
    private final int count;
    private final String owner;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Senders(Outbox outbox, DicomSender sender, int count, Duration poll, String owner) {
        this.outbox = outbox;
        this.sender = sender;
        this.count = count;
        this.poll = poll;
        this.owner = owner;
    }

    void start() {
        for (int i = 1; i <= count; i++) {
            Thread t = new Thread(this::loop, "outbox-sender-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop() {
        while (running) {
            try {
                Optional<Outbox.Delivery> d = outbox.claim(owner);
                if (d.isPresent()) deliver(d.get());
                else Thread.sleep(Math.max(poll.toMillis(), 10));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // keep the thread alive: a database hiccup must not stop sending for good
                log.error("outbox sender loop failed; retrying: {}", e.toString());
                try {
                    Thread.sleep(Math.max(poll.toMillis(), 10));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void deliver(Outbox.Delivery d) throws SQLException {
        if (d.items().isEmpty()) {
            outbox.sent(d, "nothing to send");
            return;
        }
        try {
            DicomSender.Report report = sender.send(d.destination(), d.items());
            if (report.complete()) {
                log.info("job {}: {} objects sent to {} ({} with warnings)", d.jobId(), report.delivered(), d.destination(), report.warnings());
                outbox.sent(d, report.delivered() + " objects stored" + (report.warnings() > 0 ? ", " + report.warnings() + " with warnings" : ""));
            } else {
                log.warn("job {}: {} refused {} of {} objects: {}", d.jobId(), d.destination(), report.failures().size(), d.items().size(), report.failures());
                outbox.failed(d, d.destination() + " refused " + report.failures().size() + " of " + d.items().size() + " objects");
            }
        } catch (IOException e) {
            log.warn("job {}: sending to {} failed (attempt {}): {}", d.jobId(), d.destination(), d.attempt(), e.getMessage());
            outbox.failed(d, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    void stop(Duration timeout) {
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) t.interrupt();
        }
    }
}
