package org.ctai.scp;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** DCMTK's storescp as a stand-in PACS for delivery tests: every object it accepts lands in {@code dir}, as it arrived. */
public final class StoreScp implements AutoCloseable {
    final int port;
    final Path dir;
    private final Process process;

    private StoreScp(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** storescp with extra options, e.g. {@code +xi}: accept Implicit VR Little Endian only. */
    public static StoreScp start(String aeTitle, int port, Path dir, String... options) throws Exception {
        return start(aeTitle, port, dir, List.of(options));
    }

    /**
     * A slow PACS: each object is answered only after {@code perObject}, and every reception (duplicates too) is
     * appended to {@link #receptions()}, so a test can act while an association is provably in the middle.
     */
    public static StoreScp startSlow(String aeTitle, int port, Path dir, java.time.Duration perObject) throws Exception {
        Path log = dir.resolveSibling(dir.getFileName() + ".receptions");
        String sleep = String.format(java.util.Locale.ROOT, "%.3f", perObject.toMillis() / 1000.0);
        // storescp runs the command before it sends the C-STORE response (--exec-sync waits for it)
        return start(aeTitle, port, dir, List.of("--exec-on-reception", "sh -c 'echo #f >> " + log + "; sleep " + sleep + "'", "--exec-sync"));
    }

    /** storescp with extra options (for example {@code +xi}: accept Implicit VR Little Endian only). */
    public static StoreScp start(String aeTitle, int port, Path dir, List<String> options) throws Exception {
        Files.createDirectories(dir);
        List<String> cmd = new java.util.ArrayList<>(List.of("storescp", "-v", "-aet", aeTitle, "-od", dir.toString()));
        cmd.addAll(options);
        cmd.add(Integer.toString(port));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        StoreScp scp = new StoreScp(port, dir, pb.start());
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return scp;
            } catch (IOException e) {
                Thread.sleep(25);
            }
        }
        scp.close();
        throw new IllegalStateException("storescp did not listen on " + port);
    }

    public List<Path> received() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** The file names of every object received so far, one per reception (only for {@link #startSlow}). */
    public List<String> receptions() throws IOException {
        Path log = dir.resolveSibling(dir.getFileName() + ".receptions");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
