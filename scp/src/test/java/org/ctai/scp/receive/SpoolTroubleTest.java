package org.ctai.scp.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.Node;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spool in trouble: a file system that fills up, and files whose rows were never written. */
class SpoolTroubleTest {
    @TempDir
    Path tmp;

    private Node node;
    private Path mounted;

    @AfterEach
    void stop() throws Exception {
        if (node != null) node.close();
        if (mounted != null) run("umount", mounted.toString());
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        return p.exitValue();
    }

    private static List<String> spoolFiles(Path data) throws IOException {
        try (var files = Files.walk(data.resolve("spool"))) {
            return files.filter(Files::isRegularFile).map(f -> data.relativize(f).toString()).sorted().toList();
        }
    }

    private long count(String sql) {
        return TestNodes.count(node.dataSource(), sql);
    }

    @ParameterizedTest(name = "data.fsync={0}")
    @ValueSource(booleans = {true, false})
    void aFullSpoolAnswersOutOfResourcesAndTheNodeResumesWhenSpaceReturns(boolean fsync) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", data.toString()) == 0, "needs root to mount a small tmpfs");
        mounted = data;
        node = TestNodes.start(data, "--data.min-free-mb=1", "--data.fsync=" + fsync);
        // 6 slices of 512 x 512 (0.5 MB each) into 2 MB: the first few fit, then the disk is full (storescu halts
        // at the first refusal)
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 6, 512);

        Dcmtk.Result full = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files(), "-v");
        assertThat(full.output()).contains("Received Store Response (Success)").contains("Received Store Response (Refused: OutOfResources)");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count("SELECT count(*) FROM scp.instance")).isBetween(1L, 5L));

        assertThat(run("mount", "-o", "remount,size=16m", data.toString())).isZero();
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).as("the same node, once space is back").isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(6));
        assertThat(spoolFiles(data)).hasSize(6);
    }

    @Test
    void spoolFilesWhoseRowsWereNeverCommittedAreDeletedAtTheNextStart() throws Exception {
        Path data = tmp.resolve("data");
        String db = TestDatabase.freshDatabase();
        node = TestNodes.startOn(db, data);
        CtSeriesWriter.Series kept = CtSeriesWriter.write(tmp.resolve("kept"), 2, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), kept.files()).exitCode()).isZero();
        try (var c = node.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute("ALTER TABLE scp.instance ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
        }
        CtSeriesWriter.Series refused = CtSeriesWriter.write(tmp.resolve("refused"), 1, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), refused.files(), "-v").output())
                .contains("Received Store Response (Refused: OutOfResources)");
        try (var c = node.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute("ALTER TABLE scp.instance DROP CONSTRAINT refuse_all");
        }
        List<String> named = TestNodes.strings(node.dataSource(), "SELECT path FROM scp.instance ORDER BY path");
        node.close();
        node = null;
        assertThat(spoolFiles(data)).as("placed in the spool before the upsert failed").hasSize(3).containsAll(named);

        node = TestNodes.startOn(db, data);
        assertThat(spoolFiles(data)).containsExactlyElementsOf(named);
    }
}
