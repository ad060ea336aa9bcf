package org.ctai.scp.storage;

import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.Node;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.SOPClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner deletes delivered series' files after the retention time and keeps everything else. */
class RetentionTest {
    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private long files(String dir) throws Exception {
        Path p = tmp.resolve("data").resolve(dir);
        if (!Files.exists(p)) return 0;
        try (var walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void deliveredSeriesLoseTheirFilesButKeepTheirHistoryWhileFailedOnesKeepTheirFiles() throws Exception {
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                "--retention.days=0", "--retention.check-seconds=0.2"));
        CtSeriesWriter.Series good = CtSeriesWriter.write(tmp.resolve("good"), 5, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), good.files()).exitCode()).isZero();
        // a series the loader refuses: mixed image sizes
        CtSeriesWriter.Series mixed = CtSeriesWriter.writeMixedSizes(tmp.resolve("mixed"));
        String series = mixed.seriesUid();
        List<Path> bad = mixed.files();
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), bad).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(30)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.series WHERE purged_at IS NOT NULL") == 1
                        && TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'failed'") == 1);

        assertThat(TestNodes.strings(node.dataSource(), "SELECT series_uid FROM scp.series WHERE purged_at IS NOT NULL"))
                .containsExactly(good.seriesUid());
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(5);
        assertThat(files("spool")).isEqualTo(5);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.history ORDER BY job_id")).containsExactly("done", "failed");

        // the failed job's files go only when asked
        long failedJob = TestNodes.count(node.dataSource(), "SELECT id FROM scp.job WHERE state = 'failed'");
        Cleaner cleaner = new Cleaner(node.dataSource(), node.config().retention(), tmp.resolve("data"));
        assertThat(cleaner.purgeFailedJob(failedJob)).isTrue();
        assertThat(files("spool")).isZero();
        assertThat(cleaner.purgeFailedJob(failedJob)).as("already purged").isFalse();
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.history ORDER BY job_id")).containsExactly("done", "failed");
    }
}
