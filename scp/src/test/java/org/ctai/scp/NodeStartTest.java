package org.ctai.scp;

import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the node starts and stops: it refuses a page nobody may log in to, and stops cleanly at SIGTERM. */
class NodeStartTest {
    @TempDir
    Path tmp;

    @Test
    void withoutWebUsersTheNodeRefusesToStartAndFreesItsDicomPort() throws Exception {
        int port = NodeProcess.freePort();
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), List.of(
                "--data.dir=" + tmp.resolve("data"), "--data.min-free-mb=1", "--dicom.port=" + port, "--web.port=0",
                "--db.url=" + TestDatabase.freshDatabase(), "--db.user=postgres"));

        assertThatThrownBy(() -> Node.start(config, new SeriesInventory()))
                .isInstanceOf(NodeException.class).hasMessageContaining("web.users is empty").hasMessageContaining("web.auth=off");

        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void sigtermStopsTheNodeBeforeItsEmbeddedDatabaseSoNothingFails() throws Exception {
        Path data = tmp.resolve("data");
        NodeProcess node = NodeProcess.start(tmp.resolve("node.log"), List.of("--data.dir=" + data, "--data.min-free-mb=1",
                "--dicom.allowed-callers=STORESCU", "--worker.poll-seconds=0.05", "--send.destinations=PACS@127.0.0.1:1"));
        Thread.sleep(1000); // workers and senders polling the database when the signal comes

        node.close();

        assertThat(node.logText()).contains("stopped; uptime").doesNotContain("ERROR").doesNotContain(" WARN ");
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
    }
}
