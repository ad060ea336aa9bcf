package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a series counts as complete, measured on the database's own clock. */
class SeriesCompletionTest {
    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    /** Seconds from the series' last instance to its job, from the rows' own timestamps. */
    private double secondsFromLastInstanceToJob() {
        return Double.parseDouble(TestNodes.strings(node.dataSource(), """
                SELECT extract(epoch FROM j.created_at - s.last_received_at)::text
                FROM scp.job j JOIN scp.series s ON s.id = j.series_id""").get(0));
    }

    @Test
    void releasedAssociationQueuesItsSeriesWithinGracePlusOneSecond() {
        node = TestNodes.start(tmp.resolve("data"), "--series.quiet-seconds=60", "--series.release-grace-seconds=1");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 10, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job") == 1);

        assertThat(secondsFromLastInstanceToJob()).isBetween(1.0, 2.0);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT reason FROM scp.job_event WHERE to_state = 'queued'").get(0))
                .contains("released");
    }

    @Test
    void openAssociationThatStopsSendingCompletesByQuietPeriod() throws Exception {
        node = TestNodes.start(tmp.resolve("data"), "--series.quiet-seconds=2");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 5, 32);
        try (HeldAssociation open = HeldAssociation.open(node.dicomPort())) {
            List<String> acknowledged = open.send(s.files());
            assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(s.sopInstanceUids());

            await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job") == 1);

            assertThat(secondsFromLastInstanceToJob()).isBetween(2.0, 4.0);
            assertThat(TestNodes.strings(node.dataSource(), "SELECT reason FROM scp.job_event WHERE to_state = 'queued'").get(0))
                    .contains("no instance for 2.0 s");
        }
    }

    @Test
    void instanceArrivingAfterItsSeriesWasQueuedStartsAVersionProcessedAfterTheFirst() throws Exception {
        node = TestNodes.start(tmp.resolve("data"));
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 4, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files().subList(0, 3)).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job") == 1);

        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files().subList(3, 4)).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(10)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'done'") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT series_version || ':' || (result->>'instances') FROM scp.job ORDER BY id"))
                .containsExactly("1:3", "2:4");
        // the history keeps both versions; the later one supersedes the earlier
        assertThat(TestNodes.strings(node.dataSource(), "SELECT series_version || ' ' || superseded FROM scp.history ORDER BY series_version"))
                .containsExactly("1 true", "2 false");
        // version 2 starts only after version 1 is done
        assertThat(TestNodes.count(node.dataSource(), """
                SELECT count(*) FROM scp.job_event r2 JOIN scp.job j2 ON j2.id = r2.job_id AND j2.series_version = 2
                JOIN scp.job j1 ON j1.series_id = j2.series_id AND j1.series_version = 1
                JOIN scp.job_event d1 ON d1.job_id = j1.id AND d1.to_state = 'done'
                WHERE r2.to_state = 'running' AND r2.at >= d1.at""")).isOne();
    }

    /**
     * The race the test above meets only under load, made certain: version 1 is queued, then an instance of version 2
     * arrives, and only then does a worker take version 1 (a node without workers receives, a second node on the
     * same rows processes). Each job reads the instances of its own version and nothing that arrived later.
     */
    @Test
    void aJobReadsOnlyTheInstancesOfItsVersionEvenWhenALaterOneArrivedBeforeItStarted() {
        String db = TestDatabase.freshDatabase();
        node = TestNodes.startOn(db, tmp.resolve("data"), "--worker.count=0");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 4, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files().subList(0, 3)).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job") == 1);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files().subList(3, 4)).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.job")).containsOnly("queued");
        node.close();

        node = TestNodes.startOn(db, tmp.resolve("data"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'done'") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT series_version || ':' || (result->>'instances') FROM scp.job ORDER BY id"))
                .containsExactly("1:3", "2:4");
    }
}
