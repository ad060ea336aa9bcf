package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ctai.inference.phantom.PhantomExam;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole exam as a scanner writes it (localizers, thin and thick axial reconstructions, a coronal reformat, a dose
 * page, another patient's tilted head CT), sent by storescu with its default presentation contexts to a node with the
 * shipped liver pipeline and the real model: only the axial abdominal series produce results at the PACS; everything
 * else is recorded with its reason and sends nothing.
 */
class WholeExamRoutingTest {
    @TempDir
    static Path exam;

    @TempDir
    Path tmp;

    private static PhantomExam.ExamFiles files;

    @BeforeAll
    static void writeExam() throws Exception {
        files = PhantomExam.write(PhantomSpec.of(9301).withSize(256).withTumours(1), exam);
    }

    private static List<Path> everyFile() throws Exception {
        List<Path> all = new ArrayList<>();
        for (PhantomExam.Series s : files.series()) all.addAll(s.files());
        return all;
    }

    /** Job state (and pipeline) per series folder of the exam, once every series has its terminal jobs. */
    private static Map<String, List<String>> statesBySeries(Node node, int jobs) {
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state NOT IN ('queued', 'running')") == jobs);
        Map<String, List<String>> states = new TreeMap<>();
        for (PhantomExam.Series s : files.series()) {
            states.put(s.folder(), TestNodes.strings(node.dataSource(), """
                    SELECT j.state || coalesce(' ' || j.pipeline, '') FROM scp.job j JOIN scp.series s ON s.id = j.series_id
                    WHERE s.series_uid = ? ORDER BY j.pipeline""", s.seriesInstanceUid()));
        }
        return states;
    }

    private static String reason(Node node, String folder) {
        return TestNodes.strings(node.dataSource(), """
                SELECT j.last_error FROM scp.job j JOIN scp.series s ON s.id = j.series_id WHERE s.series_uid = ?""",
                files.series(folder).seriesInstanceUid()).get(0);
    }

    @Test
    void onlyTheAxialAbdominalSeriesProduceResultsAndEveryOtherSeriesIsRecordedWithItsReason() throws Exception {
        int pacsPort = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", pacsPort, tmp.resolve("pacs"));
             Node node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                     "--send.destinations=PACS@127.0.0.1:" + pacsPort, "--send.backoff-seconds=0.5"))) {
            // every file, default presentation contexts: a PACS forwarding the whole study
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), everyFile()).exitCode()).isZero();

            Map<String, List<String>> states = statesBySeries(node, files.series().size());

            assertThat(states).containsEntry(PhantomExam.THIN, List.of("done liver")).containsEntry(PhantomExam.THICK, List.of("done liver"))
                    .containsEntry(PhantomExam.LOCALIZER, List.of("ignored")).containsEntry(PhantomExam.REFORMAT, List.of("ignored"))
                    .containsEntry(PhantomExam.DOSE, List.of("ignored")).containsEntry(PhantomExam.HEAD, List.of("ignored"));
            assertThat(reason(node, PhantomExam.LOCALIZER)).contains("liver: rule.4").contains("LOCALIZER");
            assertThat(reason(node, PhantomExam.REFORMAT)).contains("liver: rule.5").contains("REFORMATTED");
            assertThat(reason(node, PhantomExam.DOSE)).contains("liver: rule.2").contains("SecondaryCaptureImageStorage");
            assertThat(reason(node, PhantomExam.HEAD)).contains("liver: rule.3").contains("HEAD");
            long results = TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.result_object WHERE kind IN ('seg', 'sr', 'overlay')");
            assertThat(results).isGreaterThanOrEqualTo(4);
            await().atMost(Duration.ofSeconds(60)).until(() -> pacs.received().size() == results);
            // nothing but the two axial series' jobs has a delivery
            assertThat(TestNodes.strings(node.dataSource(), """
                    SELECT DISTINCT s.series_uid FROM scp.outbox o JOIN scp.job j ON j.id = o.job_id JOIN scp.series s ON s.id = j.series_id
                    ORDER BY 1""")).containsExactlyInAnyOrder(files.series(PhantomExam.THIN).seriesInstanceUid(),
                    files.series(PhantomExam.THICK).seriesInstanceUid());
            // the worklist API shows the ignored series with their reason
            String worklist = Web.get(node, "/api/worklist?state=ignored");
            assertThat(worklist).contains(files.series(PhantomExam.HEAD).seriesInstanceUid()).contains("liver: rule.3");
        }
    }

    @Test
    void aSeriesThatPassesTooBroadRulesButLiesOutsideTheModelsDomainIsSkippedAndNothingIsSent() throws Exception {
        int pacsPort = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", pacsPort, tmp.resolve("pacs"));
             Node node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                     "--send.destinations=PACS@127.0.0.1:" + pacsPort, "--send.backoff-seconds=0.5",
                     // too broad: any body part, any orientation
                     "--pipeline.liver.rule.3=", "--pipeline.liver.rule.7="))) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.series(PhantomExam.HEAD).files()).exitCode()).isZero();

            Map<String, List<String>> states = statesBySeries(node, 1);

            assertThat(states.get(PhantomExam.HEAD)).containsExactly("skipped liver");
            assertThat(reason(node, PhantomExam.HEAD)).isEqualTo(
                    "outside the model's domain: body part HEAD, the model covers ABDOMEN, ABDOMENPELVIS, ABD_PELVIS, CHESTABDOMEN, "
                            + "CHESTABDPELVIS, CHEST_TO_PELVIS, LIVER, TRUNK, WHOLEBODY");
            assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.result_object")).isZero();
            assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.outbox")).isZero();
            Thread.sleep(1000);
            assertThat(pacs.received()).isEmpty();
        }
    }

    @Test
    void twoPipelinesTakingTheSameSeriesProduceTwoJobsWithTheirOwnResults() throws Exception {
        int pacsPort = NodeProcess.freePort();
        try (StoreScp pacs = StoreScp.start("PACS", pacsPort, tmp.resolve("pacs"));
             Node node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                     "--send.destinations=PACS@127.0.0.1:" + pacsPort, "--send.backoff-seconds=0.5",
                     "--pipelines=liver,liver3d", "--pipeline.liver3d.model=bundled:ctai-phantom-unet3d", "--pipeline.liver3d.priority=10",
                     "--pipeline.liver3d.rule.1=modality = CT and sliceThickness >= 4"))) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.series(PhantomExam.THICK).files()).exitCode()).isZero();

            Map<String, List<String>> states = statesBySeries(node, 2);

            assertThat(states.get(PhantomExam.THICK)).containsExactly("done liver", "done liver3d");
            assertThat(TestNodes.strings(node.dataSource(), """
                    SELECT j.pipeline || ' ' || j.model FROM scp.job j ORDER BY j.pipeline""")).satisfiesExactly(
                    l -> assertThat(l).startsWith("liver ").contains("ctai-phantom-unet.onnx"),
                    l -> assertThat(l).startsWith("liver3d ").contains("ctai-phantom-unet3d.onnx"));
            assertThat(TestNodes.strings(node.dataSource(), """
                    SELECT DISTINCT j.pipeline FROM scp.result_object r JOIN scp.job j ON j.id = r.job_id WHERE r.kind = 'seg' ORDER BY 1"""))
                    .containsExactly("liver", "liver3d");
            long results = TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.result_object");
            await().atMost(Duration.ofSeconds(60)).until(() -> pacs.received().size() == results);
        }
    }

    @Test
    void theFilesOfASeriesNoPipelineTakesAreDeletedOnSchedule() throws Exception {
        try (Node node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(),
                "--retention.unprocessed-minutes=0.02", "--retention.check-seconds=0.5"))) {
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.series(PhantomExam.LOCALIZER).files()).exitCode()).isZero();
            statesBySeries(node, 1);
            List<Path> spooled = TestNodes.strings(node.dataSource(), "SELECT path FROM scp.instance").stream()
                    .map(p -> tmp.resolve("data").resolve(p)).toList();
            assertThat(spooled).isNotEmpty().allMatch(Files::exists);

            await().atMost(Duration.ofSeconds(20)).until(() -> spooled.stream().noneMatch(Files::exists));

            assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.series WHERE purged_at IS NOT NULL")).isEqualTo(1);
            assertThat(TestNodes.strings(node.dataSource(), "SELECT state FROM scp.job")).containsExactly("ignored");
        }
    }
}
