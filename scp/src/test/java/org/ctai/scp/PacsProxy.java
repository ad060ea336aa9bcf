package org.ctai.scp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A TCP relay on loopback in front of a PACS's DICOM port that tells the test of each connection before relaying it
 * ({@code beforeRelay} gets 1, 2, ...), so a test can act between a peer's associations, for example stop the PACS
 * just as a given one opens. A connection the PACS does not take is closed. Daemon threads; {@link #close()} stops.
 */
final class PacsProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final IntConsumer beforeRelay;
    private final AtomicInteger connections = new AtomicInteger();

    PacsProxy(int targetPort, IntConsumer beforeRelay) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.beforeRelay = beforeRelay;
        Thread accept = new Thread(this::acceptLoop, "pacs-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                beforeRelay.accept(connections.incrementAndGet());
                Socket pacs;
                try {
                    pacs = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    client.close(); // the PACS is down: the caller sees the connection drop
                    continue;
                }
                pipe(client, pacs);
                pipe(pacs, client);
            } catch (IOException | RuntimeException e) {
                if (server.isClosed()) return;
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // one side closed: close both below
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "pacs-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
