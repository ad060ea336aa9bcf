package org.ctai.scp.queue;

import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.storage.Database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's state machine on real PostgreSQL with the real migrations. */
class JobQueueTest {
    @TempDir
    Path tmp;

    private Database db;
    private JobQueue queue;
    private NodeConfig config;

    @BeforeEach
    void open() {
        config = TestNodes.config(tmp, TestDatabase.freshDatabase(), "--worker.lease-seconds=3", "--worker.max-attempts=2",
                "--worker.backoff-seconds=0.2");
        db = Database.open(config.db(), config.data(), "test");
        queue = new JobQueue(db.dataSource(), config.worker());
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long queueOneJob() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("INSERT INTO scp.series (series_uid, study_uid, calling_ae) VALUES ('1.2.3', '1.2', 'X')");
            queue.enqueue(c, 1, 1, "test");
            queue.enqueue(c, 1, 1, "test again");
        }
        return 1;
    }

    private long count(String sql) {
        return TestNodes.count(db.dataSource(), sql);
    }

    @Test
    void enqueueingTheSameSeriesVersionTwiceMakesOneJob() throws Exception {
        queueOneJob();
        assertThat(count("SELECT count(*) FROM scp.job")).isOne();
        assertThat(count("SELECT count(*) FROM scp.job_event")).isOne();
    }

    @Test
    void aClaimedJobIsNotClaimedAgainWhileItsLeaseHolds() throws Exception {
        queueOneJob();
        assertThat(queue.claim("A")).isPresent();
        assertThat(queue.claim("B")).isEmpty();
    }

    @Test
    void aJobWhoseLeaseRanOutIsTakenOverAndOnlyTheNewOwnerCanComplete() throws Exception {
        queueOneJob();
        JobQueue.Claim a = queue.claim("A").orElseThrow();
        Thread.sleep(3200);
        JobQueue.Claim b = queue.claim("B").orElseThrow();

        assertThat(b.attempt()).isEqualTo(2);
        assertThat(queue.complete(a, new SeriesProcessor.Processed("{}", List.of()), tmp, List.of())).isFalse();
        assertThat(queue.complete(b, new SeriesProcessor.Processed("{\"by\":\"B\"}", List.of()), tmp, List.of())).isTrue();
        assertThat(TestNodes.strings(db.dataSource(), "SELECT reason FROM scp.job_event ORDER BY id"))
                .anyMatch(r -> r.startsWith("lease of A ran out"));
        assertThat(count("SELECT count(*) FROM scp.job_event WHERE to_state = 'done'")).isOne();
    }

    @Test
    void transientFailureIsRetriedWithBackoffThenDead() throws Exception {
        queueOneJob();
        JobQueue.Claim first = queue.claim("A").orElseThrow();
        queue.fail(first, "PACS busy", false);
        assertThat(queue.claim("A")).as("not before the backoff").isEmpty();
        Thread.sleep(300);
        JobQueue.Claim second = queue.claim("A").orElseThrow();
        queue.fail(second, "PACS busy", false);

        assertThat(TestNodes.strings(db.dataSource(), "SELECT state FROM scp.job")).containsExactly("dead");
        assertThat(TestNodes.strings(db.dataSource(), "SELECT to_state FROM scp.job_event ORDER BY id"))
                .containsExactly("queued", "running", "queued", "running", "dead");
    }

    @Test
    void permanentFailureEndsInFailedWithItsReason() throws Exception {
        queueOneJob();
        queue.fail(queue.claim("A").orElseThrow(), "mixed image sizes", true);
        assertThat(TestNodes.strings(db.dataSource(), "SELECT state || ': ' || last_error FROM scp.job"))
                .containsExactly("failed: mixed image sizes");
        assertThat(queue.claim("A")).isEqualTo(Optional.empty());
    }

    @Test
    void backoffDoublesUpToItsCap() {
        NodeConfig.Worker w = TestNodes.config(tmp, "jdbc:postgresql://unused/x", "--worker.backoff-seconds=10",
                "--worker.backoff-max-seconds=35").worker();
        assertThat(w.backoffAfter(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(w.backoffAfter(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(w.backoffAfter(3)).isEqualTo(Duration.ofSeconds(35));
    }
}
