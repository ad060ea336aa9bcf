package org.ctai.scp.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

    @TempDir
    Path tmp;

    private Node node;
    private LogCapture logs;
    private final List<Socket> stallers = new ArrayList<>();

    @AfterEach
    void stop() {
        stallers.forEach(FloodTest::closeQuietly);
        if (node != null) node.close();
        if (logs != null) logs.close();
    }

    @Test
    void stallingConnectionsFromOneAddressDoNotKeepAnotherCallerOutAndThreadsStayBounded() throws Exception {
        logs = new LogCapture();
        node = TestNodes.start(tmp.resolve("data"));
        CtSeriesWriter.Series series = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        assertThat(Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort()).exitCode()).as("before the flood").isZero();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();

        int connected = 0;
        for (int i = 0; i < STALLERS; i++) {
            Socket s = new Socket();
            stallers.add(s);
            try {
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress("127.0.0.1", node.dicomPort()), 2000);
                // the first three bytes of an A-ASSOCIATE-RQ: type 0x01, reserved, the first length byte; then nothing
                s.getOutputStream().write(new byte[] {0x01, 0x00, 0x00});
                s.getOutputStream().flush();
                connected++;
            } catch (IOException refused) {
                // a connection the node refused or reset is fine: it keeps nobody out
            }
        }
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
        assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN org.ctai.scp.peer") && l.contains("127.0.0.2"))
                .filter(l -> l.contains("connections from")).count()).as(logs.text()).isEqualTo(1);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // cleanup after the test
        }
    }
}
