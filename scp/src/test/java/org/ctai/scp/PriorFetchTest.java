package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.scp.config.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Priors by query/retrieve against a real PACS (Debian's Orthanc): it holds two earlier studies of a phantom patient
 * (uploaded through its REST API, so its Lua does not route them); the newest study reaches the node, and the node
 * alone finds the priors (C-FIND), retrieves them (C-MOVE to its own AE title) and processes them, never twice, and
 * keeps their results at home. A PACS that is down holds up nothing: the current results go out, the priors come
 * once it is back.
 */
class PriorFetchTest extends NodeWithOrthancTest {
    private static final String PATIENT_ID = "PRIOR-0001";
    /** Routes to the node only the CT series that arrived over DICOM (the test's storescu), not the uploaded priors. */
    private static final String ROUTE_DICOM_ARRIVALS = """
            function OnStableSeries(seriesId, tags, metadata)
              if tags['Modality'] == 'CT' then
                local series = ParseJson(RestApiGet('/series/' .. seriesId))
                local origin = RestApiGet('/instances/' .. series['Instances'][1] .. '/metadata/Origin')
                if origin == 'DicomProtocol' then
                  RestApiPost('/modalities/ctai/store', seriesId)
                end
              end
            end
            """;

    private StoreScp results;
    private PacsProxy proxy;

    @AfterEach
    void closeTheRest() throws Exception {
        if (results != null) results.close();
        if (proxy != null) proxy.close();
    }

    @Test
    void fetchesBothPriorsOfARoutedStudyProcessesThemOnceAndKeepsTheirResultsAtHome() throws Exception {
        List<PhantomFiles> studies = twoPriorsThenTheRoutedStudy(1.0, 1.2, 1.5);
        PhantomFiles first = studies.get(0), second = studies.get(1), current = studies.get(2);
        // the history has all three, oldest first, the tumour on one track across them, and the newest study's response
        assertResponseOfTheNewest(studies, "PD");
        assertWorklistSaysPriorsFetchedFor(List.of(first, second), current, "20250115");
        assertThat(rows("SELECT study_uid || ' ' || for_study_uid || ' ' || state || ' ' || attempts FROM scp.prior_fetch ORDER BY study_date"))
                .containsExactly(studyUid(first) + " " + studyUid(current) + " done 1", studyUid(second) + " " + studyUid(current) + " done 1");
        // priors wait behind every new study in the job queue
        assertThat(TestNodes.strings(node.dataSource(), """
                SELECT j.priority::text FROM scp.job j JOIN scp.series s ON s.id = j.series_id WHERE s.study_uid <> ?""", studyUid(current)))
                .hasSize(2).allSatisfy(p -> assertThat(Integer.parseInt(p)).isNegative());
        awaitInPacs(studyUid(current), "SR");
        awaitInPacs(studyUid(current), "SEG");
        Thread.sleep(3000); // results of a prior, had they been queued, would be at the PACS by now
        assertThat(pacs.instances(studyUid(first), "SR")).isEmpty();
        assertThat(pacs.instances(studyUid(second), "SR")).isEmpty();
        assertThat(TestNodes.count(node.dataSource(), """
                SELECT count(*) FROM scp.outbox o JOIN scp.job j ON j.id = o.job_id JOIN scp.series s ON s.id = j.series_id
                WHERE s.study_uid <> ?""", studyUid(current))).isZero();

        PhantomFiles fourth = study(LocalDate.of(2025, 7, 15), 1.6);
        sendToPacs(fourth);
        awaitStudiesDone(4);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows("SELECT state FROM scp.prior_query WHERE study_uid = ?", studyUid(fourth))
                .equals(List.of("done")));
        // its priors are the three studies the node has: nothing asked of the PACS again, nothing received twice
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.prior_fetch")).isEqualTo(2);
        assertThat(TestNodes.count(node.dataSource(), "SELECT sum(attempts) FROM scp.prior_fetch")).isEqualTo(2);
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job")).isEqualTo(4);
        assertThat(TestNodes.count(node.dataSource(), "SELECT max(version) FROM scp.series")).isEqualTo(1);
        // a prior never asks for priors of its own
        assertThat(rows("SELECT study_uid FROM scp.prior_query ORDER BY study_date")).containsExactly(studyUid(current), studyUid(fourth));
    }

    @Test
    void aPacsThatIsDownDelaysNeitherTheCurrentResultsNorStopsThePriorsFromComingLater() throws Exception {
        int nodePort = NodeProcess.freePort();
        startPacs(nodePort);
        PhantomFiles first = study(LocalDate.of(2023, 3, 1), 0.7);
        PhantomFiles second = study(LocalDate.of(2023, 9, 1), 0.85);
        upload(first);
        upload(second);
        pacs.stop();
        results = StoreScp.start("RESULTS", NodeProcess.freePort(), tmp.resolve("results"));
        node = Node.start(nodeConfig(nodePort, "RESULTS@127.0.0.1:" + results.port));

        PhantomFiles current = study(LocalDate.of(2024, 3, 1), 1.0);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), current.images()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(90)).until(() -> results.received().size() >= 2); // SEG and SR at least
        await().atMost(Duration.ofSeconds(30)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.prior_query") >= 2);
        assertThat(rows("SELECT state FROM scp.prior_query")).containsExactly("pending");
        assertThat(rows("SELECT last_error FROM scp.prior_query").get(0)).contains(OrthancPacs.AE).doesNotContain(PATIENT_ID);
        int sentBefore = results.received().size();

        pacs.start();

        awaitStudiesDone(3);
        assertThat(rows("SELECT state FROM scp.prior_fetch")).containsExactly("done", "done");
        Thread.sleep(2000);
        assertThat(results.received()).hasSize(sentBefore); // the priors' results stayed at home
    }

    @Test
    void aPacsStoppedBetweenTheQueryAndTheRetrievalSendsThePriorsOnceItIsBack() throws Exception {
        int nodePort = NodeProcess.freePort();
        startPacs(nodePort);
        PhantomFiles first = study(LocalDate.of(2022, 5, 2), 0.7);
        PhantomFiles second = study(LocalDate.of(2022, 11, 2), 0.85);
        upload(first);
        upload(second);
        results = StoreScp.start("RESULTS", NodeProcess.freePort(), tmp.resolve("results"));
        // associations 1-3 are the C-FINDs (STUDY, then SERIES for each prior); the PACS goes down as the 4th, the
        // first C-MOVE, opens
        CountDownLatch stopped = new CountDownLatch(1);
        proxy = new PacsProxy(pacs.dicomPort, n -> {
            if (n != 4) return;
            try {
                pacs.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        });
        node = Node.start(nodeConfig(nodePort, "RESULTS@127.0.0.1:" + results.port, OrthancPacs.AE + "@127.0.0.1:" + proxy.port()));

        PhantomFiles current = study(LocalDate.of(2023, 5, 2), 1.0);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), current.images()).exitCode()).isZero();
        assertThat(stopped.await(90, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(60)).until(() -> results.received().size() >= 2); // the current results went out
        await().atMost(Duration.ofSeconds(30)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.prior_fetch") >= 2);
        assertThat(rows("SELECT state FROM scp.prior_query")).containsExactly("done");
        assertThat(rows("SELECT state FROM scp.prior_fetch")).containsOnly("queued");
        assertThat(rows("SELECT last_error FROM scp.prior_fetch WHERE last_error IS NOT NULL").get(0)).contains("C-MOVE");
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(DISTINCT study_uid) FROM scp.series")).isEqualTo(1);
        pacs.start();

        awaitStudiesDone(3);
        assertThat(rows("SELECT state FROM scp.prior_fetch")).containsExactly("done", "done");
    }

    @Test
    void aPacsAnsweringTheMoveWithAFailureIsAskedAgainWithBackoffUntilItSucceeds() throws Exception {
        int nodePort = NodeProcess.freePort();
        startPacs(NodeProcess.freePort()); // Orthanc knows CTAI at a port where nobody listens: every C-MOVE fails there
        PhantomFiles first = study(LocalDate.of(2021, 2, 3), 0.7);
        upload(first);
        results = StoreScp.start("RESULTS", NodeProcess.freePort(), tmp.resolve("results"));
        node = Node.start(nodeConfig(nodePort, "RESULTS@127.0.0.1:" + results.port));

        PhantomFiles current = study(LocalDate.of(2022, 2, 3), 1.0);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), current.images()).exitCode()).isZero();

        await().atMost(Duration.ofSeconds(90)).until(() -> results.received().size() >= 2);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT coalesce(max(attempts), 0) FROM scp.prior_fetch") >= 3);
        assertThat(rows("SELECT state FROM scp.prior_fetch")).containsExactly("queued");
        assertThat(rows("SELECT last_error FROM scp.prior_fetch").get(0)).contains("C-MOVE").contains("status");
        // backoff: 0.5 s, then 1 s (the cap) between attempts, not a tight loop
        assertThat(TestNodes.count(node.dataSource(), "SELECT attempts FROM scp.prior_fetch")).isLessThan(30);

        pacs.modality("ctai", "CTAI", nodePort);

        awaitStudiesDone(2);
        assertThat(rows("SELECT state FROM scp.prior_fetch")).containsExactly("done");
    }

    @Test
    void fetchedPriorsOfAShrinkingTumourGiveAPartialResponse() throws Exception {
        assertResponseOfTheNewest(twoPriorsThenTheRoutedStudy(1.6, 1.3, 1.0), "PR");
    }

    /**
     * Orthanc holds two earlier studies (2024-01-15, 2024-07-15) of the phantom patient, tumours scaled so; the node
     * starts; a third (2025-01-15) is routed to it through Orthanc; returns the three, oldest first, once all three
     * are processed.
     */
    private List<PhantomFiles> twoPriorsThenTheRoutedStudy(double firstScale, double secondScale, double currentScale) throws Exception {
        int nodePort = NodeProcess.freePort();
        startPacs(nodePort);
        PhantomFiles first = study(LocalDate.of(2024, 1, 15), firstScale);
        PhantomFiles second = study(LocalDate.of(2024, 7, 15), secondScale);
        upload(first);
        upload(second);
        node = Node.start(nodeConfig(nodePort, OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort));

        PhantomFiles current = study(LocalDate.of(2025, 1, 15), currentScale);
        sendToPacs(current);

        awaitStudiesDone(3);
        return List.of(first, second, current);
    }

    @Test
    void fetchesBothPriorsByCGetFromAPacsThatCannotReachTheNodeAndStoresEachBeforeTheRetrievalCounts() throws Exception {
        int nodePort = NodeProcess.freePort();
        startPacs(NodeProcess.freePort()); // Orthanc knows CTAI at a port where nobody listens: a C-MOVE could not deliver
        PhantomFiles first = study(LocalDate.of(2024, 2, 1), 1.0);
        PhantomFiles second = study(LocalDate.of(2024, 8, 1), 1.2);
        upload(first);
        upload(second);
        results = StoreScp.start("RESULTS", NodeProcess.freePort(), tmp.resolve("results"));
        // the PACS is no allowed caller: nothing of it can arrive by C-STORE; fsync on, so stored means spool + row
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), "--dicom.port=" + nodePort,
                "--dicom.allowed-callers=" + TestNodes.CALLER, "--data.fsync=true",
                "--send.destinations=RESULTS@127.0.0.1:" + results.port, "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=2",
                "--priors.source=" + OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort, "--priors.retrieve=get",
                "--priors.retry-seconds=0.5", "--priors.retry-max-seconds=1", "--priors.connect-timeout-seconds=2",
                "--priors.timeout-seconds=20"));

        PhantomFiles current = study(LocalDate.of(2025, 2, 1), 1.5);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), current.images()).exitCode()).isZero();

        // a retrieval counts (done) only after each of its instances was stored
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() ->
                rows("SELECT state FROM scp.prior_fetch").stream().anyMatch("done"::equals));
        List<String> doneWithInstances = rows("""
                SELECT p.study_uid || ' ' || (SELECT count(*) FROM scp.instance i JOIN scp.series s ON s.id = i.series_id
                                              WHERE s.study_uid = p.study_uid)
                FROM scp.prior_fetch p WHERE p.state = 'done'""");
        assertThat(doneWithInstances).isNotEmpty().allSatisfy(r -> assertThat(r).endsWith(" " + first.images().size()));

        awaitStudiesDone(3);
        assertThat(rows("SELECT state || ' ' || attempts FROM scp.prior_fetch")).containsExactly("done 1", "done 1");
        assertResponseOfTheNewest(List.of(first, second, current), "PD");
        assertWorklistSaysPriorsFetchedFor(List.of(first, second), current, "20250201");
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.instance")).isEqualTo(3L * first.images().size());
        // PixelMed's files went through the intake and are gone
        try (var left = java.nio.file.Files.walk(tmp.resolve("data").resolve("retrieving"))) {
            assertThat(left.filter(java.nio.file.Files::isRegularFile).toList()).isEmpty();
        }
        // the priors' results stay at home (priors.send-results=false)
        assertThat(TestNodes.count(node.dataSource(), """
                SELECT count(*) FROM scp.outbox o JOIN scp.job j ON j.id = o.job_id JOIN scp.series s ON s.id = j.series_id
                WHERE s.study_uid <> ?""", studyUid(current))).isZero();
    }

    /**
     * The worklist API says of each prior's row for which study it was fetched, by that study's date and description;
     * the asking study's own rows are no priors.
     */
    private void assertWorklistSaysPriorsFetchedFor(List<PhantomFiles> priors, PhantomFiles asking, String askingDate) throws Exception {
        com.fasterxml.jackson.databind.JsonNode w = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Web.get(node, "/api/worklist?patient=" + PATIENT_ID));
        List<String> priorUids = new ArrayList<>();
        for (PhantomFiles p : priors) priorUids.add(studyUid(p));
        int priorRows = 0;
        for (com.fasterxml.jackson.databind.JsonNode row : w.get("rows")) {
            com.fasterxml.jackson.databind.JsonNode priorFor = row.get("priorFor");
            if (priorUids.contains(row.get("studyUid").asText())) {
                priorRows++;
                assertThat(priorFor.get("studyUid").asText()).as(row.toString()).isEqualTo(studyUid(asking));
                assertThat(priorFor.get("studyDate").asText()).as(row.toString()).isEqualTo(askingDate);
                assertThat(priorFor.get("studyDescription").asText()).as(row.toString()).isEqualTo(row.get("studyDescription").asText()).isNotEmpty();
            } else {
                assertThat(priorFor.isNull()).as(row.toString()).isTrue();
            }
        }
        assertThat(priorRows).as(w.toString()).isEqualTo(priors.size());
    }

    /** The patient API: the studies in date order, the largest lesion tracked through all of them, the newest's category. */
    private void assertResponseOfTheNewest(List<PhantomFiles> studies, String category) throws Exception {
        com.fasterxml.jackson.databind.JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Web.get(node, "/api/patient?id=" + PATIENT_ID + "&issuer="));
        List<String> order = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode s : h.get("studies")) order.add(s.get("studyUid").asText());
        List<String> expected = new ArrayList<>();
        for (PhantomFiles f : studies) expected.add(studyUid(f));
        assertThat(order).as(h.toString()).isEqualTo(expected);
        assertThat(h.get("response").get("targets")).as(h.toString()).isNotEmpty();
        int track = h.get("response").get("targets").get(0).get("track").asInt();
        for (com.fasterxml.jackson.databind.JsonNode s : h.get("studies")) {
            assertThat(s.get("lesions").findValues("track")).as("track %d in study %s of %s", track, s.get("studyUid"), h)
                    .anySatisfy(t -> assertThat(t.asInt()).isEqualTo(track));
        }
        com.fasterxml.jackson.databind.JsonNode newest = h.get("studies").get(studies.size() - 1).get("response");
        assertThat(newest.get("category").asText()).as(newest.toString()).isEqualTo(category);
    }

    private void startPacs(int nodePort) throws Exception {
        pacs = OrthancPacs.configure(tmp.resolve("orthanc"), "CTAI", nodePort);
        pacs.routeWith(ROUTE_DICOM_ARRIVALS);
        pacs.start();
    }

    private NodeConfig nodeConfig(int nodePort, String destination) {
        return nodeConfig(nodePort, destination, OrthancPacs.AE + "@127.0.0.1:" + pacs.dicomPort);
    }

    private NodeConfig nodeConfig(int nodePort, String destination, String priorsSource) {
        return TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase(), "--dicom.port=" + nodePort,
                "--dicom.allowed-callers=" + OrthancPacs.AE + "," + TestNodes.CALLER,
                "--send.destinations=" + destination, "--send.backoff-seconds=0.5", "--send.backoff-max-seconds=2",
                "--send.connect-timeout-seconds=2",
                "--priors.source=" + priorsSource, "--priors.retry-seconds=0.5",
                "--priors.retry-max-seconds=1", "--priors.connect-timeout-seconds=2", "--priors.timeout-seconds=20");
    }

    /** One study of the phantom patient: same anatomy and tumour, grown by {@code tumourScale}. */
    private PhantomFiles study(LocalDate date, double tumourScale) throws Exception {
        PhantomSpec spec = PhantomSpec.of(9901).withSlices(10).withSize(256).withTumours(1).withTumourScale(tumourScale)
                .withPatient("PRIOR^PHANTOM", PATIENT_ID).withStudyDate(date);
        return PhantomGenerator.write(PhantomGenerator.generate(spec), tmp.resolve("study-" + date));
    }

    private void upload(PhantomFiles files) throws Exception {
        for (Path f : files.images()) pacs.upload(f);
    }

    private void sendToPacs(PhantomFiles files) {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", TestNodes.CALLER, "-aec", OrthancPacs.AE, "127.0.0.1",
                Integer.toString(pacs.dicomPort)));
        files.images().forEach(f -> cmd.add(f.toString()));
        Dcmtk.Result r = Dcmtk.run(cmd);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private void awaitStudiesDone(int studies) {
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() ->
                TestNodes.count(node.dataSource(), "SELECT count(DISTINCT study_uid) FROM scp.history WHERE state = 'done'") >= studies);
        assertThat(TestNodes.count(node.dataSource(), "SELECT count(DISTINCT study_uid) FROM scp.history WHERE state = 'done'"))
                .isEqualTo(studies);
    }

    private void awaitInPacs(String studyUid, String modality) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> !pacs.instances(studyUid, modality).isEmpty());
    }

    private List<String> rows(String sql, Object... args) {
        return TestNodes.strings(node.dataSource(), sql, args);
    }

    private static String studyUid(PhantomFiles files) throws Exception {
        AttributeList l = new AttributeList();
        l.read(files.images().get(0).toFile(), TagFromName.PixelData);
        return Attribute.getSingleStringValueOrEmptyString(l, TagFromName.StudyInstanceUID);
    }
}
