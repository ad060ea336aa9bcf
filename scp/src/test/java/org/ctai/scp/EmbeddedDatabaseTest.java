package org.ctai.scp;

import org.ctai.scp.cli.Main;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The embedded PostgreSQL of a running node is shared with commands and never stolen by a second node. */
class EmbeddedDatabaseTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondNodeOnTheSameDataFolderIsRefusedAndCommandsUseTheRunningNodesDatabase() throws Exception {
        Path data = tmp.resolve("data");
        try (NodeProcess running = NodeProcess.start(tmp.resolve("node.log"), List.of("--data.dir=" + data, "--data.min-free-mb=1"))) {
            NodeConfig second = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(),
                    List.of("--data.dir=" + data, "--dicom.port=0", "--data.min-free-mb=1", "--web.port=0"));
            assertThatThrownBy(() -> Node.start(second, new SeriesInventory()))
                    .hasMessageContaining("another node").hasMessageContaining("is running with its embedded PostgreSQL");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = new CommandLine(new Main()).execute("resend", "424242", "--data.dir=" + data);
            } finally {
                System.setOut(original);
            }
            assertThat(code).isOne();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("job 424242 has no dead or waiting delivery");
            assertThat(running.logText()).doesNotContain("from a previous run still holds");
        }
    }
}
