package org.ctai.scp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ctai.scp.TestNodes;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL keeps the promise data.fsync makes: a committed row is on disk. */
class EmbeddedDurabilityTest {
    @TempDir
    Path tmp;

    private Database open(boolean fsync) {
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(),
                List.of("--data.dir=" + tmp.resolve("data"), "--data.fsync=" + fsync, "--web.auth=off"));
        return Database.open(config.db(), config.data(), "durability-test");
    }

    @Test
    void withDataFsyncTheEmbeddedServerFsyncsAndCommitsSynchronously() {
        try (Database db = open(true)) {
            assertThat(TestNodes.strings(db.dataSource(), "SHOW fsync")).containsExactly("on");
            assertThat(TestNodes.strings(db.dataSource(), "SHOW synchronous_commit")).containsExactly("on");
        }
    }

    @Test
    void withoutDataFsyncTheEmbeddedServerNeitherFsyncsNorWaitsForCommits() {
        try (Database db = open(false)) {
            assertThat(TestNodes.strings(db.dataSource(), "SHOW fsync")).containsExactly("off");
            assertThat(TestNodes.strings(db.dataSource(), "SHOW synchronous_commit")).containsExactly("off");
        }
    }
}
