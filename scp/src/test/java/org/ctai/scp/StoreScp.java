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

    public static StoreScp start(String aeTitle, int port, Path dir, String... options) throws Exception {
        Files.createDirectories(dir);
        List<String> cmd = new java.util.ArrayList<>(List.of("storescp", "-v", "-aet", aeTitle, "-od", dir.toString()));
        cmd.addAll(List.of(options));
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

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
