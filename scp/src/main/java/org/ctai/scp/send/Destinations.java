package org.ctai.scp.send;

import org.ctai.scp.config.NodeConfig;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a job's results go: every configured destination, or only back to the calling AE (return to sender). */
public final class Destinations {
    private static final Logger log = LoggerFactory.getLogger(Destinations.class);

    private final NodeConfig.Send config;

    public Destinations(NodeConfig.Send config) {
        this.config = config;
    }

    /** The destinations, written AE@host:port, for a series sent by {@code callingAeTitle}. */
    public List<String> forCaller(String callingAeTitle) {
        if (!config.returnToSender()) return config.destinations().stream().map(Object::toString).toList();
        List<String> caller = config.destinations().stream().filter(d -> d.aeTitle().equals(callingAeTitle)).map(Object::toString).toList();
        if (caller.isEmpty()) {
            log.warn("send.return-to-sender is on but {} is not in send.destinations; its results are not sent", callingAeTitle);
        }
        return caller;
    }

    static NodeConfig.Destination parse(String written) {
        int at = written.indexOf('@');
        int colon = written.lastIndexOf(':');
        return new NodeConfig.Destination(written.substring(0, at), written.substring(at + 1, colon),
                Integer.parseInt(written.substring(colon + 1)));
    }
}
