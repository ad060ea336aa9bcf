package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node refuses to start with a page nobody may log in to, and leaves nothing listening. */
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
}
