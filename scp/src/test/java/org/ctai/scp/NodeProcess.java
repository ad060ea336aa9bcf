package org.ctai.scp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The node as its own JVM, started like ./ctai run does, so a test can kill it with SIGKILL. */
public final class NodeProcess implements AutoCloseable {
    private static final Pattern EMBEDDED_PORT = Pattern.compile("embedded PostgreSQL running on port (\\d+)");
    private static final Pattern WEB_PORT = Pattern.compile("web page on http://[^:/]+:(\\d+)/");

    private final Process process;
    private final Path log;
    final int dicomPort;

    private NodeProcess(Process process, Path log, int dicomPort) {
        this.process = process;
        this.log = log;
        this.dicomPort = dicomPort;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no free port to probe", e);
        }
    }

    /** Starts {@code ctai run} with the test classpath and waits until it listens for DICOM. */
    static NodeProcess start(Path log, List<String> options) throws Exception {
        return start(log, freePort(), options);
    }

    /** Starts {@code ctai run} on the given DICOM port. */
    static NodeProcess start(Path log, int port, List<String> options) throws Exception {
        return start(log, port, List.of(), options);
    }

    /** Starts {@code ctai run} behind a command prefix (for example {@code ip netns exec NS}, which execs the JVM). */
    static NodeProcess start(Path log, int port, List<String> prefix, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.ctai.scp.cli.Main", "run", "--dicom.port=" + port));
        cmd.addAll(TestNodes.WEB_OPTIONS);
        cmd.addAll(options);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        NodeProcess node = new NodeProcess(p, log, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!node.logText().contains("listening on")) {
            if (!p.isAlive()) throw new IllegalStateException("node exited with " + p.exitValue() + ":\n" + node.logText());
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // never leave a half-started node behind
                throw new IllegalStateException("node did not start in 90 s:\n" + node.logText());
            }
            Thread.sleep(100);
        }
        return node;
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** JDBC URL of the embedded PostgreSQL this run started (the last one logged). */
    String embeddedJdbcUrl() {
        Matcher m = EMBEDDED_PORT.matcher(logText());
        String port = null;
        while (m.find()) port = m.group(1);
        if (port == null) throw new IllegalStateException("no embedded PostgreSQL in the log");
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    /** The web page's port (the node runs with web.port=0). */
    int webPort() {
        Matcher m = WEB_PORT.matcher(logText());
        if (!m.find()) throw new IllegalStateException("no web page in the log");
        return Integer.parseInt(m.group(1));
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no cleanup, like a power cut for the JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the node's orderly shutdown. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
