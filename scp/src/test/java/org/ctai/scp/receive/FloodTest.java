package org.ctai.scp.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.LogCapture;
import org.ctai.scp.Node;
import org.ctai.scp.NodeProcess;
import org.ctai.scp.TestCertificates;
import org.ctai.scp.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOM edge under a connection flood: 200 connections from one address that send three bytes of an
 * A-ASSOCIATE-RQ and stall must not keep DCMTK's echoscu and storescu, calling from another address, out.
 * DCMTK cannot bind a source address, so the stallers call from 127.0.0.2 and DCMTK from 127.0.0.1.
 */
@Timeout(90)
class FloodTest {
    private static final int STALLERS = 200;
    private static final Duration LEGITIMATE_WITHIN = Duration.ofSeconds(2);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private Node node;
    private LogCapture logs;
    private final List<Socket> stallers = new ArrayList<>();
    private TestCertificates certs;

    @AfterEach
    void stop() {
        stallers.forEach(FloodTest::closeQuietly);
        if (node != null) node.close();
        if (logs != null) logs.close();
    }

    @Test
    void stallingConnectionsFromOneAddressDoNotKeepAnotherCallerOutAndThreadsStayBounded() throws Exception {
        logs = new LogCapture();
        // long enough that no admitted staller expires (and frees its place for a later one) while the 200 connect, even on
        // a loaded machine: then exactly the 16 first are admitted and every later one is refused
        node = TestNodes.start(tmp.resolve("data"), "--dicom.request-timeout-seconds=" + STALL_TIMEOUT.toSeconds());
        CtSeriesWriter.Series series = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        assertThat(Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort()).exitCode()).as("before the flood").isZero();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();

        // the first three bytes of an A-ASSOCIATE-RQ: type 0x01, reserved, the first length byte; then nothing
        int connected = stall("127.0.0.2", node.dicomPort(), new byte[] {0x01, 0x00, 0x00}, STALLERS);
        assertThat(connected).as("stallers that got a connection").isPositive();

        long t0 = System.nanoTime();
        Dcmtk.Result echo = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort(), "-to", "10");
        Duration echoTook = Duration.ofNanos(System.nanoTime() - t0);
        t0 = System.nanoTime();
        Dcmtk.Result store = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), series.files(), "-to", "10");
        Duration storeTook = Duration.ofNanos(System.nanoTime() - t0);
        int threadsDuring = threads.getThreadCount();
        System.out.printf("flood: %d stallers connected; echoscu %d ms, storescu %d ms; threads %d before, %d during%n",
                connected, echoTook.toMillis(), storeTook.toMillis(), threadsBefore, threadsDuring);

        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(echoTook).isLessThan(LEGITIMATE_WITHIN);
        assertThat(store.exitCode()).as(store.output()).isZero();
        assertThat(storeTook).isLessThan(LEGITIMATE_WITHIN);
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(3);
        // no thread per staller: at most the two legitimate associations' threads (the pool keeps them 30 s) and a few spare
        assertThat(threadsDuring).isLessThanOrEqualTo(threadsBefore + 6);
        // the stallers over the address's limit were refused at once, without the node reading their request
        assertThat(refusedAtOnce()).as("stallers answered A-ASSOCIATE-RJ").isEqualTo(connected - 16);
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN org.ctai.scp.peer") && l.contains("127.0.0.2"))
                .filter(l -> l.contains("connections from")).count()).as(logs.text()).isEqualTo(1);

        // the admitted stallers are closed at the request timeout, and their address may connect again
        for (Socket s : stallers) {
            s.setSoTimeout((int) STALL_TIMEOUT.toMillis() + 5000);
            try {
                while (s.getInputStream().read() >= 0) {
                    // the refused ones: the rest of nothing after their reject
                }
            } catch (java.net.SocketException reset) {
                // closed by the node with our bytes unread
            }
        }
        try (Socket again = stall("127.0.0.2", node.dicomPort(), new byte[] {0x01}, 1) == 1 ? stallers.get(stallers.size() - 1) : null) {
            assertThat(again).as("a new connection from the flooding address after its connections closed").isNotNull();
            again.setSoTimeout(500);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> again.getInputStream().read())
                    .as("admitted (its request is awaited), not refused").isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    /**
     * Stallers whose connection holds an A-ASSOCIATE-RJ (PDU type 0x03) from the node. The node writes it at accept, but
     * on a loaded machine it may not have arrived yet, so each read waits a little; an admitted staller is answered
     * nothing, and its read times out.
     */
    private int refusedAtOnce() throws IOException {
        int refused = 0;
        for (Socket s : stallers) {
            if (!s.isConnected() || s.isClosed()) continue;
            s.setSoTimeout(300);
            try {
                if (s.getInputStream().read() == 0x03) refused++;
            } catch (java.net.SocketTimeoutException admitted) {
                // its request is awaited: not refused
            } catch (java.net.SocketException reset) {
                // a reset before the reject could be read: the test cannot tell, and counts it as not refused
            }
        }
        return refused;
    }

    @Test
    void plainStallersLeaveTheTlsPortFreeAndTlsStallersLeaveThePlainPortAndOtherTlsCallersFree() throws Exception {
        startWithTls();
        assertThat(echoOverTls().exitCode()).as("before the flood").isZero();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();

        stall("127.0.0.2", node.dicomPort(), new byte[] {0x01, 0x00, 0x00}, STALLERS);
        // half a TLS ClientHello record header, from another address: each holds a TLS intake thread in its handshake
        int tlsStallers = stall("127.0.0.3", node.dicomTlsPort(), new byte[] {0x16, 0x03, 0x01}, 50);

        long t0 = System.nanoTime();
        Dcmtk.Result overTls = echoOverTls();
        Duration tlsTook = Duration.ofNanos(System.nanoTime() - t0);
        t0 = System.nanoTime();
        Dcmtk.Result plain = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort(), "-to", "10");
        Duration plainTook = Duration.ofNanos(System.nanoTime() - t0);
        int threadsDuring = threads.getThreadCount();
        System.out.printf("flood on both ports: %d TLS stallers; echoscu +tls %d ms, echoscu %d ms; threads %d before, %d during%n",
                tlsStallers, tlsTook.toMillis(), plainTook.toMillis(), threadsBefore, threadsDuring);

        assertThat(overTls.exitCode()).as(overTls.output()).isZero();
        assertThat(tlsTook).isLessThan(LEGITIMATE_WITHIN);
        assertThat(plain.exitCode()).as(plain.output()).isZero();
        assertThat(plainTook).isLessThan(LEGITIMATE_WITHIN);
        // the 16 admitted TLS stallers hold a TLS intake thread each until the request timeout; nothing else grows
        assertThat(threadsDuring).isLessThanOrEqualTo(threadsBefore + 16 + 6);
    }

    @Test
    void stallersFromManyAddressesAreCappedAndTheLongestWaitingMakeRoom() throws Exception {
        logs = new LogCapture();
        node = TestNodes.start(tmp.resolve("data"), "--dicom.request-timeout-seconds=30", "--dicom.max-pending-requests=64");
        // 20 addresses, 10 stallers each: under every address's limit (16), over the node's cap of waiting requests
        int connected = 0;
        for (int a = 10; a < 30; a++) connected += stall("127.0.0." + a, node.dicomPort(), new byte[] {0x01, 0x00, 0x00}, 10);
        assertThat(connected).isEqualTo(200);

        long t0 = System.nanoTime();
        Dcmtk.Result echo = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort(), "-to", "10");
        Duration echoTook = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(echoTook).isLessThan(LEGITIMATE_WITHIN);

        // long before the 30 s request timeout, the node holds at most 64 of them: the oldest were closed to make room
        int open = stillOpen(stallers);
        System.out.printf("200 stallers from 20 addresses, dicom.max-pending-requests=64: %d still open; echoscu %d ms%n", open, echoTook.toMillis());
        assertThat(open).isLessThanOrEqualTo(64);
        assertThat(stillOpen(stallers.subList(0, 100))).as("the first hundred, the longest waiting").isZero();
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN org.ctai.scp.peer") && l.contains("dicom.max-pending-requests")).count())
                .as(logs.text()).isEqualTo(1);
    }

    @Test
    void tlsStallersFromManyAddressesCannotHoldTheTlsIntake() throws Exception {
        startWithTls("--dicom.request-timeout-seconds=30");
        assertThat(echoOverTls().exitCode()).as("before the flood").isZero();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        // 20 addresses, 5 each: under every address's limit, three times the intake's 32 threads (16 associations + 16)
        int connected = 0;
        for (int a = 10; a < 30; a++) connected += stall("127.0.0." + a, node.dicomTlsPort(), new byte[] {0x16, 0x03, 0x01}, 5);
        assertThat(connected).isEqualTo(100);

        long t0 = System.nanoTime();
        Dcmtk.Result overTls = echoOverTls();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        int threadsDuring = threads.getThreadCount();
        System.out.printf("100 TLS stallers from 20 addresses: echoscu +tls %d ms; threads %d before, %d during%n", took.toMillis(),
                threadsBefore, threadsDuring);
        assertThat(overTls.exitCode()).as(overTls.output()).isZero();
        assertThat(took).isLessThan(LEGITIMATE_WITHIN);
        assertThat(threadsDuring).isLessThanOrEqualTo(threadsBefore + 32 + 6);
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN org.ctai.scp.peer") && l.contains("to make room")).count())
                .as(logs.text()).isEqualTo(1);
    }

    @Test
    void aTlsHandshakeTrickledByteByByteIsClosedAtTheRequestTimeout() throws Exception {
        startWithTls("--dicom.request-timeout-seconds=2");
        try (Socket trickler = new Socket("127.0.0.1", node.dicomTlsPort())) {
            OutputStream out = trickler.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}); // a 512-byte handshake record, sent a byte every 300 ms
            long t0 = System.nanoTime();
            boolean closed = false;
            try {
                for (int i = 0; i < 40 && !closed; i++) {
                    Thread.sleep(300);
                    out.write(0);
                    out.flush();
                }
            } catch (java.net.SocketException closedByNode) {
                closed = true;
            }
            if (!closed) {
                trickler.setSoTimeout(1000);
                try {
                    closed = trickler.getInputStream().read() < 0;
                } catch (java.net.SocketException reset) {
                    closed = true;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    closed = false;
                }
            }
            long took = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("trickled TLS handshake: closed %s after %d ms%n", closed, took);
            assertThat(closed).as("closed by the node within 12 s of trickling").isTrue();
            assertThat(took).as("not long after the 2 s request timeout").isLessThan(8000);
        }
        assertThat(logs.text()).contains("no TLS handshake and association request within 2000 ms");
    }

    private void startWithTls(String... more) throws Exception {
        certs = TestCertificates.create(tmp.resolve("pki"));
        logs = new LogCapture();
        List<String> options = new ArrayList<>(List.of("--dicom.tls-port=" + NodeProcess.freePort(), "--dicom.tls-cert=" + certs.node().cert(),
                "--dicom.tls-key=" + certs.node().key(), "--dicom.tls-trusted=" + certs.caCert()));
        options.addAll(List.of(more));
        node = TestNodes.start(tmp.resolve("data"), options.toArray(String[]::new));
    }

    /** How many of {@code sockets} the node has not closed: a read neither ends nor fails within 200 ms. */
    private static int stillOpen(List<Socket> sockets) throws IOException {
        int open = 0;
        for (Socket s : sockets) {
            if (!s.isConnected() || s.isClosed()) continue;
            s.setSoTimeout(200);
            try {
                if (s.getInputStream().read() >= 0) continue; // a reject or an abort: answered, so not held
            } catch (java.net.SocketTimeoutException waiting) {
                open++;
            } catch (java.net.SocketException reset) {
                // closed by the node
            }
        }
        return open;
    }

    /** Opens {@code count} connections from {@code from} that send {@code first} and then nothing; returns how many connected. */
    private int stall(String from, int port, byte[] first, int count) {
        int connected = 0;
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            stallers.add(s);
            try {
                s.bind(new InetSocketAddress(from, 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.getOutputStream().write(first);
                s.getOutputStream().flush();
                connected++;
            } catch (IOException refused) {
                // refused or reset by the node: keeps nobody out
            }
        }
        return connected;
    }

    private Dcmtk.Result echoOverTls() {
        return Dcmtk.echoscu(TestNodes.CALLER, "CTAI", node.dicomTlsPort(), "-to", "10", "+tls", certs.client().key().toString(),
                certs.client().cert().toString(), "+cf", certs.caCert().toString());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // cleanup after the test
        }
    }
}
