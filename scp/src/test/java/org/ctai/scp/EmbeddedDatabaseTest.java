package org.ctai.scp;

import org.ctai.scp.cli.Main;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The embedded PostgreSQL of a running node is shared with commands, never stolen by a second node, and never
 * outlives its node.
 */
class EmbeddedDatabaseTest {
    @TempDir
    Path tmp;

    /** Processes running a postgres binary on this data directory (postmasters are started with -D dir). */
    private static List<ProcessHandle> postgresOn(Path dir) {
        String d = dir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(d)).orElse(false))
                .toList();
    }

    @Test
    void theEmbeddedPostgresStopsWhenItsNodeIsKilled() throws Exception {
        Path data = tmp.resolve("data");
        Path pg = data.resolve("postgres");
        NodeProcess node = NodeProcess.start(tmp.resolve("node.log"), List.of("--data.dir=" + data, "--data.min-free-mb=1"));
        long postmaster = Long.parseLong(Files.readAllLines(pg.resolve("postmaster.pid")).get(0).trim());
        assertThat(postgresOn(pg)).extracting(ProcessHandle::pid).contains(postmaster);

        node.kill();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)).as("postmaster of the killed node").isFalse());

        try (NodeProcess next = NodeProcess.start(tmp.resolve("next.log"), List.of("--data.dir=" + data, "--data.min-free-mb=1"))) {
            assertThat(next.logText()).doesNotContain("from a previous run still holds");
        }
        assertThat(postgresOn(pg)).as("postgres processes on " + pg + " after the next start and stop").isEmpty();
    }

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
