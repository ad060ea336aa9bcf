package org.ctai.scp.demo;

import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCP;
import com.pixelmed.network.UnencapsulatedExplicitStorePresentationContextSelectionPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A minimal C-STORE SCP on loopback that keeps whatever it receives in a folder: the stand-in PACS of
 * {@code ./ctai demo}. Not for production: it accepts any caller on 127.0.0.1.
 */
public final class LocalPacs implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-pacs");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger received = new AtomicInteger();

    public LocalPacs(String aeTitle, Path folder, Consumer<Path> onReceived) throws IOException {
        Files.createDirectories(folder);
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ReceivedObjectHandler handler = new ReceivedObjectHandler() {
            @Override
            public void sendReceivedObjectIndication(String file, String transferSyntax, String callingAe) {
                received.incrementAndGet();
                onReceived.accept(Path.of(file));
            }
        };
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    threads.execute(() -> {
                        try (s) {
                            new StorageSOPClassSCP(s, aeTitle, 65536, 0, 0, folder.toFile(), StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER,
                                    handler, null, null, null, null, new UnencapsulatedExplicitStorePresentationContextSelectionPolicy()).run();
                        } catch (Exception e) {
                            // the association failed; the node's outbox retries
                        }
                    });
                } catch (IOException e) {
                    // closed
                }
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    int received() {
        return received.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        // no interrupt: PixelMed waits out its 5 s timer after each release and logs an interrupt as an error;
        // the threads are daemons and end by themselves
        threads.shutdown();
    }
}
