package org.ctai.scp.queue;

import org.ctai.scp.FlakyDataSource;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.send.Destinations;
import org.ctai.scp.storage.Database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers on real PostgreSQL, with a database that goes away while a job runs. */
class WorkersTest {
    @TempDir
    Path tmp;

    private Database db;
    private FlakyDataSource flaky;
    private Workers workers;

    @BeforeEach
    void open() throws Exception {
        // a lease far longer than the outage: the job stays this worker's, and nothing else would finish it in time
        NodeConfig config = TestNodes.config(tmp, TestDatabase.freshDatabase(), "--worker.lease-seconds=60");
        db = Database.open(config.db(), config.data(), "test");
        flaky = new FlakyDataSource(db.dataSource());
        JobQueue queue = new JobQueue(flaky, config.worker());
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("INSERT INTO scp.series (series_uid, study_uid, calling_ae) VALUES ('1.2.3', '1.2', 'X')");
            queue.enqueue(c, 1, 1, "test");
        }
        SeriesProcessor awayWhileItRuns = (job, dir, progress) -> {
            flaky.awayFor(Duration.ofSeconds(3)); // the database stops while the series is inferred, and is back 3 s later
            return new SeriesProcessor.Processed("{\"inferred\":true}", List.of());
        };
        workers = new Workers(flaky, queue, awayWhileItRuns, config.worker(), tmp, "worker-test", new Destinations(config.send()));
    }

    @AfterEach
    void close() {
        workers.stop(Duration.ofSeconds(5));
        db.close();
    }

    @Test
    void aJobFinishedWhileTheDatabaseIsAwayIsRecordedWhenItReturnsNotRunAgain() {
        workers.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> TestNodes.count(db.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(TestNodes.strings(db.dataSource(), "SELECT result->>'inferred' FROM scp.job")).containsExactly("true");
        assertThat(TestNodes.count(db.dataSource(), "SELECT count(*) FROM scp.job_event WHERE to_state = 'running'")).as("claimed once").isOne();
    }
}
