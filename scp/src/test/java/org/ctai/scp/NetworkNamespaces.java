package org.ctai.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Separate hosts on one machine: a Linux bridge in the test's own namespace (address {@code .1}, where the test,
 * storescu and PostgreSQL are) and one network namespace per host, each with its own veth on the bridge and its
 * own address ({@code .2}, {@code .3}, ...) in a private /24 chosen at random, so tests running side by side do
 * not collide. Needs root (CAP_NET_ADMIN); {@link #unavailableBecause()} says why not. {@link #close()} removes
 * every namespace and link made, also after a failure half way.
 */
final class NetworkNamespaces implements AutoCloseable {
    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final String subnet = "10.222." + ThreadLocalRandom.current().nextInt(1, 255);
    private final String bridge = "cbr" + tag;
    private final Map<String, String> hosts = new LinkedHashMap<>(); // namespace -> address
    private boolean bridgeMade;

    /** Why namespaces cannot be made here, or empty when they can. */
    static java.util.Optional<String> unavailableBecause() {
        String probe = "ctai-probe-" + ProcessHandle.current().pid();
        try {
            run(List.of("ip", "netns", "add", probe));
            run(List.of("ip", "netns", "del", probe));
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.of("network namespaces cannot be made here (ip netns add: " + e.getMessage().strip()
                    + "); the test needs root with CAP_NET_ADMIN and iproute2");
        }
    }

    NetworkNamespaces() throws IOException {
        run(List.of("ip", "link", "add", bridge, "type", "bridge"));
        bridgeMade = true;
        run(List.of("ip", "addr", "add", hostAddress() + "/24", "dev", bridge));
        run(List.of("ip", "link", "set", bridge, "up"));
    }

    /** This namespace's address on the bridge (where the test's own servers listen). */
    String hostAddress() {
        return subnet + ".1";
    }

    /** A new host: its namespace name; {@link #address(String)} gives its address. */
    String addHost() throws IOException {
        int n = hosts.size() + 2;
        String ns = "ctai-" + tag + "-" + n;
        String outside = "cv" + tag + "o" + n;
        String inside = "cv" + tag + "i" + n;
        run(List.of("ip", "netns", "add", ns));
        hosts.put(ns, subnet + "." + n);
        run(List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", inside));
        run(List.of("ip", "link", "set", inside, "netns", ns));
        run(List.of("ip", "link", "set", outside, "master", bridge));
        run(List.of("ip", "link", "set", outside, "up"));
        run(List.of("ip", "netns", "exec", ns, "ip", "addr", "add", address(ns) + "/24", "dev", inside));
        run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up"));
        run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
        return ns;
    }

    String address(String ns) {
        return hosts.get(ns);
    }

    /** The command prefix that runs a program on that host. */
    static List<String> in(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out);
        return out;
    }

    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        // deleting a namespace destroys the veth inside it and, with it, its peer on the bridge
        for (String ns : hosts.keySet()) {
            try {
                run(List.of("ip", "netns", "del", ns));
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        if (bridgeMade) {
            try {
                run(List.of("ip", "link", "del", bridge));
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) System.err.println("NetworkNamespaces: cleanup left " + failures);
    }
}
