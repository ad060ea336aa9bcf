package org.ctai.scp.send;

import org.ctai.scp.config.NodeConfig;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a job's results go: every configured destination, or only back to the calling AE (return to sender). */
public final class Destinations {
    private static final Logger log = LoggerFactory.getLogger(Destinations.class);

    private final NodeConfig.Send config;
    private final java.util.Map<String, List<NodeConfig.Destination>> byPipeline;

    public Destinations(NodeConfig.Send config) {
        this(config, java.util.Map.of());
    }

    /** @param byPipeline each pipeline's own destinations (a pipeline not named here uses {@code send.destinations}) */
    public Destinations(NodeConfig.Send config, java.util.Map<String, List<NodeConfig.Destination>> byPipeline) {
        this.config = config;
        this.byPipeline = java.util.Map.copyOf(byPipeline);
    }

    /** The destinations of a job of {@code pipeline} (empty: the node's one processor) for a series sent by {@code callingAeTitle}. */
    public List<String> forJob(java.util.Optional<String> pipeline, String callingAeTitle) {
        List<NodeConfig.Destination> all = pipeline.map(byPipeline::get).orElse(null);
        return forCaller(all == null ? config.destinations() : all, callingAeTitle);
    }

    /** The destinations, written AE@host:port or dicomweb:URL, for a series sent by {@code callingAeTitle}. */
    public List<String> forCaller(String callingAeTitle) {
        return forCaller(config.destinations(), callingAeTitle);
    }

    private List<String> forCaller(List<NodeConfig.Destination> destinations, String callingAeTitle) {
        if (!config.returnToSender()) return destinations.stream().map(Object::toString).toList();
        // a DICOMweb destination has no AE title, so it is never the caller
        List<String> caller = destinations.stream()
                .filter(d -> d instanceof NodeConfig.AeDestination ae && ae.aeTitle().equals(callingAeTitle)).map(Object::toString).toList();
        if (caller.isEmpty()) {
            log.warn("send.return-to-sender is on but {} is not in send.destinations; its results are not sent", callingAeTitle);
        }
        return caller;
    }

    /** A destination as an outbox row writes it: AE@host:port or dicomweb:URL, without options. */
    static NodeConfig.Destination parse(String written) {
        if (written.startsWith(NodeConfig.WebDestination.PREFIX)) {
            return new NodeConfig.WebDestination(java.net.URI.create(written.substring(NodeConfig.WebDestination.PREFIX.length())),
                    java.util.Optional.empty(), java.util.Optional.empty());
        }
        int at = written.indexOf('@');
        int colon = written.lastIndexOf(':');
        return new NodeConfig.AeDestination(written.substring(0, at), written.substring(at + 1, colon),
                Integer.parseInt(written.substring(colon + 1)));
    }
}
