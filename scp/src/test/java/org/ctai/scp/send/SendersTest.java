package org.ctai.scp.send;

import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.FlakyDataSource;
import org.ctai.scp.NodeProcess;
import org.ctai.scp.StoreScp;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.storage.Database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Senders on real PostgreSQL, with a database that goes away while a delivery is at the PACS. */
class SendersTest {
    @TempDir
    Path tmp;

    @Test
    void aDeliveryTheDatabaseMissedIsRecordedWhenItReturnsNotSentAgain() throws Exception {
        int port = NodeProcess.freePort();
        // a lease far longer than the outage: the delivery stays this sender's, and nothing else would finish it in time
        NodeConfig config = TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), "--send.lease-seconds=60",
                "--send.destinations=PACS@127.0.0.1:" + port, "--send.connect-timeout-seconds=2");
        CtSeriesWriter.Series result = CtSeriesWriter.write(tmp.resolve("data/results"), 1, 32);
        String sop = result.sopInstanceUids().get(0);
        try (Database db = Database.open(config.db(), config.data(), "test");
             StoreScp pacs = StoreScp.startSlow("PACS", port, tmp.resolve("pacs"), Duration.ofSeconds(1))) {
            try (Connection c = db.dataSource().getConnection()) {
                c.createStatement().execute("INSERT INTO scp.series (series_uid, study_uid, calling_ae) VALUES ('1.2.3', '1.2', 'X')");
                c.createStatement().execute("INSERT INTO scp.job (series_id, series_version, max_attempts, state) VALUES (1, 1, 3, 'done')");
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO scp.result_object (job_id, kind, sop_class_uid, sop_instance_uid, path) VALUES (1, 'seg', ?, ?, ?)")) {
                    ps.setString(1, "1.2.840.10008.5.1.4.1.1.2");
                    ps.setString(2, sop);
                    ps.setString(3, tmp.resolve("data").relativize(result.files().get(0)).toString());
                    ps.executeUpdate();
                }
                c.createStatement().execute("INSERT INTO scp.outbox (job_id, destination) VALUES (1, 'PACS@127.0.0.1:" + port + "')");
            }
            FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
            Senders senders = Senders.create(flaky, config.send(), "CTAI", Duration.ofMillis(100), tmp.resolve("data"), "sender-test");
            senders.start();
            try {
                // the database stops while the PACS stores the object (it answers after 1 s), and is back 3 s later
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> !pacs.receptions().isEmpty());
                flaky.awayFor(Duration.ofSeconds(3));
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        TestNodes.strings(db.dataSource(), "SELECT state FROM scp.outbox").equals(java.util.List.of("sent")));
                assertThat(pacs.receptions()).as("stored once, not sent again").hasSize(1);
                assertThat(TestNodes.count(db.dataSource(), "SELECT count(*) FROM scp.outbox_event WHERE to_state = 'sending'")).isOne();
            } finally {
                senders.stop(Duration.ofSeconds(5));
            }
        }
    }
}
