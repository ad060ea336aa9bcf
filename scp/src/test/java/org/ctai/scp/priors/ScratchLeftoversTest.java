package org.ctai.scp.priors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a C-GET cut by a crash left under data/retrieving is removed at the next start; live processes' and other hosts' folders stay. */
class ScratchLeftoversTest {
    @TempDir
    Path data;

    @Test
    void removesTheScratchOfDeadProcessesOfThisHostAndKeepsTheLivingAndOtherHosts() throws Exception {
        Path root = data.resolve("retrieving");
        long self = ProcessHandle.current().pid();
        long alive = ProcessHandle.current().parent().orElseThrow().pid();
        Path own = root.resolve("node-a-" + self);
        Path dead = Files.createDirectories(root.resolve("node-a-" + Integer.MAX_VALUE).resolve("get-3"));
        Files.writeString(dead.resolve("1.2.3.4"), "half an instance");
        Path living = Files.createDirectories(root.resolve("node-a-" + alive));
        Path otherHost = Files.createDirectories(root.resolve("node-b-" + Integer.MAX_VALUE));
        Files.createDirectories(own.resolve("get-1"));

        PriorFetcher.clearLeftovers(own);

        assertThat(root.resolve("node-a-" + Integer.MAX_VALUE)).doesNotExist();
        assertThat(own).doesNotExist();
        assertThat(living).isDirectory();
        assertThat(otherHost).isDirectory();
    }
}
