package org.ctai.scp.send;

import org.ctai.scp.PollingThreads;
import org.ctai.scp.storage.Reconnecting;

import java.io.IOException;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.ctai.scp.config.NodeConfig;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.ctai.scp.tls.DicomTls;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code send.count} threads that take deliveries from the {@link Outbox} and send them with the
 * {@link DicomSender} (an AE destination) or the {@link StowSender} (a DICOMweb destination). A delivery cut off by a
 * crash is taken again when its lease runs out, so pending sends resume after a restart.
 */
public final class Senders {
    private static final Logger log = LoggerFactory.getLogger(Senders.class);

    private final Outbox outbox;
    private final DicomSender sender;
    private final StowSender stow;
    private final String owner;
    private final PollingThreads threads;

    /**
     * The senders of the outbox under {@code config}: they call as {@code send.calling-ae-title}, or as
     * {@code nodeAeTitle} when that is not set.
     */
    public static Senders create(DataSource db, NodeConfig.Send config, String nodeAeTitle, Duration poll, Path dataDir, String owner) {
        return create(db, config, List.of(), nodeAeTitle, poll, dataDir, owner);
    }

    /** @param pipelineDestinations the pipelines' own destinations ({@code pipeline.NAME.destinations}), besides {@code send.destinations} */
    public static Senders create(DataSource db, NodeConfig.Send config, List<NodeConfig.Destination> pipelineDestinations, String nodeAeTitle,
                                 Duration poll, Path dataDir, String owner) {
        List<NodeConfig.Destination> all = new java.util.ArrayList<>(config.destinations());
        pipelineDestinations.stream().filter(d -> !all.contains(d)).forEach(all::add);
        Map<String, DicomTls> tls;
        StowSender stow;
        try {
            tls = DicomSender.tlsFor(all);
            stow = StowSender.create(all, config.connectTimeout(), config.timeout());
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return new Senders(new Outbox(db, config, dataDir, all),
                new DicomSender(config.callingAeTitle().orElse(nodeAeTitle), config.connectTimeout(), config.timeout(), tls), stow, config.count(),
                poll, owner);
    }

    Senders(Outbox outbox, DicomSender sender, StowSender stow, int count, Duration poll, String owner) {
        this.outbox = outbox;
        this.sender = sender;
        this.stow = stow;
        this.owner = owner;
        this.threads = new PollingThreads("outbox-sender", count, poll, this::runOnce, log);
    }

    public void start() {
        threads.start();
    }

    private boolean runOnce() throws SQLException {
        Optional<Outbox.Delivery> d = outbox.claim(owner);
        if (d.isEmpty()) return false;
        deliver(d.get());
        return true;
    }

    private void deliver(Outbox.Delivery d) throws SQLException {
        if (d.items().isEmpty()) {
            outbox.sent(d, "nothing to send");
            return;
        }
        try {
            DicomSender.Report report = d.destination() instanceof NodeConfig.WebDestination web
                    ? stow.send(web, d.items())
                    : sender.send((NodeConfig.AeDestination) d.destination(), d.items());
            if (report.complete()) {
                log.info("job {}: {} objects sent to {} ({} with warnings)", d.jobId(), report.delivered(), d.destination(), report.warnings());
                String detail = report.delivered() + " objects stored" + (report.warnings() > 0 ? ", " + report.warnings() + " with warnings" : "");
                // the PACS has the objects: recording it must outlast a database outage, or the delivery is sent again
                Reconnecting.run("job " + d.jobId() + ": recording its delivery to " + d.destination(), () -> outbox.sent(d, detail));
            } else {
                log.warn("job {}: {} refused {} of {} objects: {}", d.jobId(), d.destination(), report.failures().size(), d.items().size(), report.failures());
                List<String> refused = report.failures();
                outbox.failed(d, d.destination() + " refused " + refused.size() + " of " + d.items().size() + " objects: " + refused.get(0)
                        + (refused.size() > 1 ? " and " + (refused.size() - 1) + " more" : ""));
            }
        } catch (StowSender.RefusedException e) {
            log.warn("job {}: {} refused the delivery; it is dead (./ctai resend {} after fixing the cause): {}", d.jobId(), d.destination(),
                    d.jobId(), e.getMessage());
            outbox.refused(d, e.getMessage());
        } catch (IOException e) {
            log.warn("job {}: sending to {} failed (attempt {}): {}", d.jobId(), d.destination(), d.attempt(), e.getMessage());
            outbox.failed(d, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    public void stop(Duration timeout) {
        threads.stop(timeout);
    }
}
