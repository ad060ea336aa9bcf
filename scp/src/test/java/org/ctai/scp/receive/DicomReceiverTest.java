package org.ctai.scp.receive;

import org.ctai.scp.HeldAssociation;

import org.ctai.scp.CtSeriesWriter;
import org.ctai.scp.Dcmtk;
import org.ctai.scp.Node;
import org.ctai.scp.TestNodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiving edge against DCMTK's real storescu and echoscu over real sockets. */
class DicomReceiverTest {
    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    private Node start(String... overrides) {
        node = TestNodes.start(tmp.resolve("data"), overrides);
        return node;
    }

    /** Truncates {@code file} to its first {@code length} bytes, as a transfer cut off would leave it. */
    private static void cutShort(Path file, long length) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private long count(String sql, Object... args) {
        return TestNodes.count(node.dataSource(), sql, args);
    }

    @Test
    void echoSucceedsForAnAllowedCaller() {
        start();
        Dcmtk.Result r = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void unknownCallingAeIsRejectedAtAssociation() {
        start();
        Dcmtk.Result r = Dcmtk.echoscu("INTRUDER", "CTAI", node.dicomPort());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Association Rejected").contains("Calling AE Title Not Recognized");
    }

    @Test
    void wrongCalledAeIsRejectedAtAssociation() {
        start();
        Dcmtk.Result r = Dcmtk.echoscu("ECHOSCU", "NOTUS", node.dicomPort());
        assertThat(r.output()).contains("Association Rejected").contains("Called AE Title Not Recognized");
    }

    @Test
    void fiftyInstanceSeriesOverOneAssociationIsStoredAndQueuedOnce() {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 50, 64);
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files());
        assertThat(r.exitCode()).as(r.output()).isZero();

        assertThat(count("SELECT count(*) FROM scp.instance i JOIN scp.series s ON s.id = i.series_id WHERE s.series_uid = ?", s.seriesUid()))
                .isEqualTo(50);
        for (String path : TestNodes.strings(node.dataSource(), "SELECT path FROM scp.instance")) {
            assertThat(tmp.resolve("data").resolve(path)).isRegularFile();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(count("SELECT count(*) FROM scp.job")).isEqualTo(1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT result->>'instances' FROM scp.job")).containsExactly("50");
    }

    @Test
    void withFsyncOffTheSenderIsAnsweredBeforeTheRowsAndTheSeriesIsQueuedOnceAllAreIndexed() throws Exception {
        start("--data.fsync=false");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 50, 64);
        try (var lock = node.dataSource().getConnection(); var st = lock.createStatement()) {
            lock.setAutoCommit(false);
            // rows wait for this transaction: the answers may not
            st.execute("LOCK TABLE scp.instance IN EXCLUSIVE MODE");
            Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files());
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(count("SELECT count(*) FROM scp.instance")).isZero();
            Thread.sleep(1500); // past the release grace: the series must not complete without its instances
            lock.commit();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        assertThat(count("SELECT count(*) FROM scp.job")).isEqualTo(1);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT result->>'instances' FROM scp.job")).containsExactly("50");
        for (String path : TestNodes.strings(node.dataSource(), "SELECT path FROM scp.instance")) {
            assertThat(tmp.resolve("data").resolve(path)).isRegularFile();
        }
        assertThat(filesIn(tmp.resolve("data/incoming"))).isEmpty();
    }

    @Test
    void headerLongerThanTheHeadKeptInMemoryIsReadFromTheFile() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 1, 64);
        Path file = s.files().get(0);
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        Attribute creator = new LongStringAttribute(new AttributeTag(0x0019, 0x0010));
        creator.addValue("CTAI TEST");
        list.put(creator);
        Attribute big = new OtherByteAttribute(new AttributeTag(0x0019, 0x1000));
        big.setValues(new byte[2 * IncomingFile.HEAD_BYTES]);
        list.put(big);
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAITEST");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);

        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files());

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(count("SELECT count(*) FROM scp.rejected_object")).isZero();
        assertThat(count("SELECT count(*) FROM scp.instance WHERE sop_instance_uid = ?", s.sopInstanceUids().get(0))).isOne();
    }

    @Test
    void associationThatGoesSilentIsClosedAfterTheIdleTimeout() throws Exception {
        start("--dicom.idle-timeout-seconds=1");
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 2, 32);
        try (HeldAssociation a = HeldAssociation.open(node.dicomPort())) {
            assertThat(a.send(s.files().subList(0, 1))).hasSize(1);
            Thread.sleep(2500);
            List<String> late;
            try {
                late = a.send(s.files().subList(1, 2));
            } catch (Exception closed) {
                late = List.of();
            }
            assertThat(late).isEmpty();
        }
        assertThat(count("SELECT count(*) FROM scp.instance")).isOne();
    }

    @Test
    void fourSeriesOverFourConcurrentAssociationsEachProduceOneJob() throws Exception {
        start();
        List<CtSeriesWriter.Series> series = new ArrayList<>();
        List<Process> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) series.add(CtSeriesWriter.write(tmp.resolve("in" + i), 20, 64));
        for (CtSeriesWriter.Series s : series) senders.add(Dcmtk.startStorescu(TestNodes.CALLER, node.dicomPort(), s.files()));
        for (Process p : senders) {
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(80);
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 4);
        assertThat(count("SELECT count(*) FROM scp.job")).isEqualTo(4);
        assertThat(count("SELECT count(DISTINCT series_id) FROM scp.job")).isEqualTo(4);
    }

    @Test
    void fourConcurrentAssociationsOfFiveHundredInstancesEachStoreTwoThousandAsFourJobsNoneLostOrDuplicated() throws Exception {
        start();
        List<CtSeriesWriter.Series> series = new ArrayList<>();
        for (int i = 0; i < 4; i++) series.add(CtSeriesWriter.write(tmp.resolve("in" + i), 500, 64));
        List<Process> senders = new ArrayList<>();
        for (CtSeriesWriter.Series s : series) senders.add(Dcmtk.startStorescu(TestNodes.CALLER, node.dicomPort(), s.files()));
        for (Process p : senders) {
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 4);
        assertThat(count("SELECT count(*) FROM scp.job")).isEqualTo(4);
        for (CtSeriesWriter.Series s : series) {
            assertThat(TestNodes.strings(node.dataSource(),
                    "SELECT i.sop_instance_uid FROM scp.instance i JOIN scp.series s ON s.id = i.series_id WHERE s.series_uid = ?", s.seriesUid()))
                    .containsExactlyInAnyOrderElementsOf(s.sopInstanceUids());
            assertThat(TestNodes.strings(node.dataSource(),
                    "SELECT j.result->>'instances' FROM scp.job j JOIN scp.series s ON s.id = j.series_id WHERE s.series_uid = ?", s.seriesUid()))
                    .containsExactly("500");
        }
        assertThat(filesIn(tmp.resolve("data").resolve("spool"))).hasSize(2000);
        assertThat(count("SELECT count(*) FROM scp.rejected_object")).isZero();
    }

    @Test
    void everyStorageSopClassIsAcceptedByDefaultSoAForwardedStudyIsNeverRefused() {
        start();
        CtSeriesWriter.Series mr = CtSeriesWriter.write(tmp.resolve("mr"), 1, 32, SOPClass.MRImageStorage, "MR");
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), mr.files());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(count("SELECT count(*) FROM scp.instance")).isOne();
    }

    @Test
    void aWholeExamSentByStorescuWithItsDefaultPresentationContextsIsAcknowledgedEntirely() throws Exception {
        start();
        var exam = org.ctai.inference.phantom.PhantomExam.write(org.ctai.inference.phantom.PhantomSpec.of(41).withSize(128), tmp.resolve("exam"));
        List<Path> files = new ArrayList<>();
        exam.series().forEach(s -> files.addAll(s.files()));
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files, "-v");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("Refused").doesNotContain("No presentation context");
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(files.size());
        assertThat(count("SELECT count(DISTINCT series_id) FROM scp.instance")).isEqualTo(exam.series().size());
        assertThat(count("SELECT count(*) FROM scp.rejected_object")).isZero();
    }

    @Test
    void deniedSopClassIsRefusedAtPresentationContextNegotiation() {
        start("--dicom.sop-classes-denied=" + SOPClass.MRImageStorage);
        CtSeriesWriter.Series mr = CtSeriesWriter.write(tmp.resolve("mr"), 1, 32, SOPClass.MRImageStorage, "MR");
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), mr.files());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("No presentation context");
        assertThat(count("SELECT count(*) FROM scp.instance")).isZero();
    }

    @Test
    void anExplicitListOfSopClassesStillAcceptsOnlyThose() {
        start("--dicom.sop-classes=" + SOPClass.CTImageStorage);
        CtSeriesWriter.Series mr = CtSeriesWriter.write(tmp.resolve("mr"), 1, 32, SOPClass.MRImageStorage, "MR");
        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), mr.files());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("No presentation context");
    }

    /** Compresses each file with {@code encoder} ({@code {in}}, {@code {out}} stand for the files) into {@code dir}. */
    private static List<Path> compressed(List<Path> files, String encoder, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            Path o = dir.resolve(f.getFileName());
            List<String> cmd = new ArrayList<>();
            for (String part : encoder.split(" ")) cmd.add(part.replace("{in}", f.toString()).replace("{out}", o.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(cmd + ": " + output + " (./ctai test installs DCMTK and GDCM)").isZero();
            out.add(o);
        }
        return out;
    }

    /** The bytes of a Part 10 file after its file meta information: the data set as its sender encoded it. */
    private static byte[] dataSet(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        // (0002,0000) UL group length is the first meta element: tag, "UL", 2-byte length, 4-byte value
        int groupLength = (b[140] & 0xff) | (b[141] & 0xff) << 8 | (b[142] & 0xff) << 16 | (b[143] & 0xff) << 24;
        return java.util.Arrays.copyOfRange(b, 144 + groupLength, b.length);
    }

    /** {@code proposal}: storescu's option that proposes the syntax (first) and the uncompressed ones. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "dcmcjpeg +e1 {in} {out},    1.2.840.10008.1.2.4.70, -xs",
            "gdcmconv --j2k {in} {out},  1.2.840.10008.1.2.4.90, -xv",
            "dcmcrle {in} {out},         1.2.840.10008.1.2.5,    -xr",
            "dcmcjpls {in} {out},        1.2.840.10008.1.2.4.80, -xt",
    })
    void losslessCompressedSeriesIsStoredAsReceivedAndDecodesToTheOriginalsHu(String encoder, String transferSyntax, String proposal)
            throws Exception {
        start();
        CtSeriesWriter.Series plain = CtSeriesWriter.writeTextured(tmp.resolve("plain"), 3, 64);
        List<Path> sent = compressed(plain.files(), encoder, tmp.resolve("compressed"));

        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), sent, proposal);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(TestNodes.strings(node.dataSource(), "SELECT transfer_syntax_uid FROM scp.instance")).containsOnly(transferSyntax).hasSize(3);
        List<Path> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path spooled = tmp.resolve("data").resolve(TestNodes.strings(node.dataSource(),
                    "SELECT path FROM scp.instance WHERE sop_instance_uid = ?", plain.sopInstanceUids().get(i)).get(0));
            assertThat(dataSet(spooled)).as("data set of instance %d as sent", i).isEqualTo(dataSet(sent.get(i)));
            stored.add(spooled);
        }
        var original = new org.ctai.inference.series.SeriesLoader().load(plain.files(), plain.seriesUid()).volumeOrThrow();
        var decoded = new org.ctai.inference.series.SeriesLoader().load(stored, plain.seriesUid()).volumeOrThrow();
        assertThat(decoded.readSlices(0, 3)).isDeepEqualTo(original.readSlices(0, 3));
    }

    @Test
    void contextOfferingOnlyLossyJpegThatTheLoaderCannotDecodeIsRefusedAtNegotiation() throws Exception {
        start();
        var contexts = new java.util.LinkedList<com.pixelmed.network.PresentationContext>();
        contexts.add(new com.pixelmed.network.PresentationContext((byte) 1, SOPClass.CTImageStorage, TransferSyntax.JPEGBaseline));
        contexts.add(new com.pixelmed.network.PresentationContext((byte) 3, SOPClass.CTImageStorage, TransferSyntax.JPEGLossless));
        com.pixelmed.network.Association association = com.pixelmed.network.AssociationFactory.createNewAssociation("127.0.0.1", node.dicomPort(), "CTAI",
                TestNodes.CALLER, contexts, null, false);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> association.getSuitablePresentationContextID(SOPClass.CTImageStorage, TransferSyntax.JPEGBaseline))
                    .isInstanceOf(com.pixelmed.network.DicomNetworkException.class);
            assertThat(association.getSuitablePresentationContextID(SOPClass.CTImageStorage, TransferSyntax.JPEGLossless)).isEqualTo((byte) 3);
        } finally {
            association.release();
        }
    }

    @Test
    void senderOfferingItsCompressedSyntaxFirstIsAnsweredInItRatherThanInOurFirstChoice() throws Exception {
        start();
        var contexts = new java.util.LinkedList<com.pixelmed.network.PresentationContext>();
        contexts.add(new com.pixelmed.network.PresentationContext((byte) 1, SOPClass.CTImageStorage,
                new java.util.LinkedList<>(List.of(TransferSyntax.JPEG2000Lossless, TransferSyntax.ExplicitVRLittleEndian))));
        com.pixelmed.network.Association association = com.pixelmed.network.AssociationFactory.createNewAssociation("127.0.0.1", node.dicomPort(), "CTAI",
                TestNodes.CALLER, contexts, null, false);
        try {
            assertThat(association.getTransferSyntaxForPresentationContextID((byte) 1)).isEqualTo(TransferSyntax.JPEG2000Lossless);
        } finally {
            association.release();
        }
    }

    @Test
    void truncatedFileInTheMiddleOfASeriesDoesNotStopTheRest() throws IOException {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 10, 64);
        Path broken = s.files().get(5);
        cutShort(broken, Files.size(broken) / 2);

        Dcmtk.Result r = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files(), "--no-halt");

        assertThat(r.output()).contains("Bad DICOM file");
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(9);
        assertThat(count("SELECT count(*) FROM scp.instance WHERE sop_instance_uid = ?", s.sopInstanceUids().get(9))).isOne();
    }

    @Test
    void truncatedDatasetThatArrivesIsQuarantinedWithItsCallerAndTheAssociationGoesOn() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 64);
        Path broken = s.files().get(1);
        cutShort(broken, Files.size(broken) - 3000);

        List<String> acknowledged;
        try (HeldAssociation a = HeldAssociation.open(node.dicomPort())) {
            acknowledged = a.send(s.files());
            a.release();
        }

        assertThat(acknowledged).hasSize(3);
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT calling_ae || ' ' || reason FROM scp.rejected_object"))
                .singleElement().asString().startsWith("PIXELMED pixel data missing or truncated");
        String kept = TestNodes.strings(node.dataSource(), "SELECT quarantine_path FROM scp.rejected_object").get(0);
        assertThat(tmp.resolve("data").resolve(kept)).isRegularFile();
    }

    @Test
    void instanceThatCannotBeStoredIsRefusedWithOutOfResourcesAndTheSenderCanRetry() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        try (var c = node.dataSource().getConnection(); var st = c.createStatement()) {
            // the database refuses every row: nothing may be acknowledged
            st.execute("ALTER TABLE scp.instance ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
        }
        Dcmtk.Result refused = Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files(), "-v");
        assertThat(refused.output()).contains("Received Store Response (Refused: OutOfResources)");
        assertThat(count("SELECT count(*) FROM scp.instance")).isZero();

        try (var c = node.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute("ALTER TABLE scp.instance DROP CONSTRAINT refuse_all");
        }
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();
        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(3);
    }

    @Test
    void identicalResendIsANoOpAndKeepsOneJob() {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 5, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);

        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();

        assertThat(count("SELECT count(*) FROM scp.instance")).isEqualTo(5);
        assertThat(count("SELECT sum(replaced) FROM scp.instance")).isZero();
        assertThat(count("SELECT version FROM scp.series")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM scp.job")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(filesIn(tmp.resolve("data/incoming"))).as("transfers left in the incoming folder").isEmpty());
    }

    @Test
    void changedInstanceUnderTheSameUidReplacesItAndQueuesANewVersion() throws Exception {
        start();
        CtSeriesWriter.Series s = CtSeriesWriter.write(tmp.resolve("in"), 3, 32);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), s.files()).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 1);
        String oldPath = TestNodes.strings(node.dataSource(), "SELECT path FROM scp.instance WHERE sop_instance_uid = ?", s.sopInstanceUids().get(0)).get(0);

        Path changed = tmp.resolve("changed.dcm");
        CtSeriesWriter.writeSlice(changed, SOPClass.CTImageStorage, "CT", s.studyUid(), s.seriesUid(), CtSeriesWriter.newUid(),
                s.sopInstanceUids().get(0), 0, 32, (short) 999);
        assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), List.of(changed)).exitCode()).isZero();

        assertThat(count("SELECT replaced FROM scp.instance WHERE sop_instance_uid = ?", s.sopInstanceUids().get(0))).isOne();
        assertThat(tmp.resolve("data").resolve(oldPath)).doesNotExist();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM scp.job WHERE state = 'done'") == 2);
        assertThat(TestNodes.strings(node.dataSource(), "SELECT series_version::text FROM scp.job ORDER BY id")).containsExactly("1", "2");
    }

    @Test
    void associationsBeyondTheLimitAreRejectedTransiently() throws Exception {
        start("--dicom.max-associations=1");
        try (HeldAssociation held = HeldAssociation.open(node.dicomPort())) {
            Dcmtk.Result r = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort());
            assertThat(r.output()).contains("Association Rejected").contains("Rejected Transient").contains("Local Limit Exceeded");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort()).exitCode() == 0);
    }

    @Test
    void spoolBelowItsFreeSpaceFloorRejectsTransientlyAndResumesWhenSpaceReturns() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        long free = Files.getFileStore(data).getUsableSpace();
        long floorMb = (free / (1024 * 1024)) - 300;
        start("--data.min-free-mb=" + floorMb);
        assertThat(Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort()).exitCode()).isZero();

        Path filler = data.resolve("filler.bin");
        Process fallocate = new ProcessBuilder("fallocate", "-l", "600M", filler.toString()).inheritIO().start();
        assertThat(fallocate.waitFor()).isZero();
        try {
            Dcmtk.Result r = Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort());
            assertThat(r.output()).contains("Association Rejected").contains("Rejected Transient");
        } finally {
            Files.delete(filler);
        }
        assertThat(Dcmtk.echoscu("ECHOSCU", "CTAI", node.dicomPort()).exitCode()).isZero();
    }
}
