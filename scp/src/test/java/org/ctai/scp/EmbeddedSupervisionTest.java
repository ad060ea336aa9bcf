package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL killed under a running node, as the kernel's OOM killer would (SIGKILL to the
 * postmaster): the node says down on /healthz, starts the server again on the same data directory, and goes on
 * receiving and processing; nothing it acknowledged before is lost.
 */
@Timeout(240)
class EmbeddedSupervisionTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    private static HttpResponse<String> healthz(NodeProcess node) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.webPort() + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(String url, String sql) {
        return TestNodes.count(TestNodes.database(url), sql);
    }

    @Test
    void aKilledPostmasterIsRestartedAndTheNodeGoesOnWithNothingLost() throws Exception {
        Path data = tmp.resolve("data");
        Path pg = data.resolve("postgres");
        CtSeriesWriter.Series before = CtSeriesWriter.write(tmp.resolve("before"), 12, 64);
        CtSeriesWriter.Series after = CtSeriesWriter.write(tmp.resolve("after"), 12, 64);
        List<String> options = new java.util.ArrayList<>(TestNodes.ANY_CT_SERIES);
        options.addAll(List.of("--data.dir=" + data, "--data.min-free-mb=1", "--dicom.allowed-callers=" + TestNodes.CALLER,
                "--series.quiet-seconds=2", "--series.release-grace-seconds=1", "--worker.poll-seconds=0.1", "--worker.lease-seconds=3"));
        try (NodeProcess node = NodeProcess.start(tmp.resolve("node.log"), options)) {
            restartAndResume(node, data, before, after);
        } catch (Throwable t) {
            if (Files.exists(tmp.resolve("node.log"))) System.out.println(Files.readString(tmp.resolve("node.log")));
            throw t;
        }
        assertThat(pg.resolve("postmaster.pid")).as("the restarted server stopped with its node").doesNotExist();
    }

    private void restartAndResume(NodeProcess node, Path data, CtSeriesWriter.Series before, CtSeriesWriter.Series after) throws Exception {
        Path pg = data.resolve("postgres");
        {
            String url = node.embeddedJdbcUrl();
            int port = Integer.parseInt(Files.readAllLines(pg.resolve("postmaster.pid")).get(3).trim());
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort, before.files()).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(url, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
            assertThat(healthz(node).statusCode()).isEqualTo(200);

            long postmaster = Long.parseLong(Files.readAllLines(pg.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
            // take the server's port the moment it is free, so the node cannot restart it while the test looks
            try (ServerSocket blocker = takeWhenFree(port)) {
                // before the supervisor notices (1 s), a health check may wait for a connection: ignore those
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
                    HttpResponse<String> h = healthz(node);
                    assertThat(h.statusCode()).isEqualTo(503);
                    assertThat(h.body()).contains("\"status\":\"down\"").contains("is restarting it");
                });
                assertThat(node.logText()).contains("is gone (killed, out of memory?); restarting it");
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> healthz(node).statusCode() == 200);
            assertThat(node.logText()).contains("runs again on port " + port);

            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort, after.files()).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(url, "SELECT count(*) FROM scp.job WHERE state = 'done'") == 2);
            assertThat(count(url, "SELECT count(*) FROM scp.instance")).as("every instance of both series").isEqualTo(24);
            assertThat(count(url, "SELECT count(*) FROM scp.job")).isEqualTo(2);
            for (String path : TestNodes.strings(TestNodes.database(url), "SELECT path FROM scp.instance")) {
                assertThat(data.resolve(path)).isRegularFile();
            }
            node.logText().lines().filter(l -> l.contains("EmbeddedServer")).forEach(System.out::println);
            long restarted = Long.parseLong(Files.readAllLines(pg.resolve("postmaster.pid")).get(0).trim());
            assertThat(restarted).isNotEqualTo(postmaster);
        }
    }

    /** Binds 127.0.0.1:port as soon as the killed postmaster has let it go. */
    private static ServerSocket takeWhenFree(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("port " + port + " stayed taken", e);
                Thread.sleep(2);
            }
        }
    }
}
