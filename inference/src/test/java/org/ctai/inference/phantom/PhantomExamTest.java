package org.ctai.inference.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.ctai.inference.series.SeriesLoadResult;
import org.ctai.inference.series.SeriesLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ctai phantom --exam}: a whole exam as a scanner sends it, valid DICOM, each series what it claims to be. */
class PhantomExamTest {
    @TempDir
    static Path dir;

    private static PhantomExam.ExamFiles exam;
    private static String printed;

    @BeforeAll
    static void write() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PhantomCli.run(new String[] {"--exam", "--out", dir.resolve("exam").toString(), "--seed", "5", "--size", "128"},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        printed = out.toString(StandardCharsets.UTF_8);
        exam = PhantomExam.write(PhantomSpec.of(5).withSize(128).withPatient("PHANTOM^CTAI", "CTAI-PHANTOM-5"), dir.resolve("exam"));
    }

    private static AttributeList header(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile(), TagFromName.PixelData);
        return list;
    }

    private static String s(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getDelimitedStringValuesOrEmptyString(list, tag);
    }

    private static double[] d(AttributeList list, com.pixelmed.dicom.AttributeTag tag) throws Exception {
        return list.get(tag).getDoubleValues();
    }

    @Test
    void cliWritesSixSeriesAndSaysWhatEachIs() {
        assertThat(exam.series()).extracting(PhantomExam.Series::folder).containsExactly(PhantomExam.LOCALIZER, PhantomExam.THIN,
                PhantomExam.THICK, PhantomExam.REFORMAT, PhantomExam.DOSE, PhantomExam.HEAD);
        assertThat(printed.lines()).hasSize(6);
        assertThat(printed).contains("Topogram AP+LAT, 2 instances").contains("Abdomen 1.25mm STANDARD, 41 instances")
                .contains("Abdomen 5mm STANDARD, 11 instances").contains("Dose Report, 1 instance");
    }

    @Test
    void localizersAreCoronalAndSagittalProjectionsOfAnotherSize() throws Exception {
        List<Path> files = exam.series(PhantomExam.LOCALIZER).files();
        assertThat(files).hasSize(2);
        AttributeList ap = header(files.get(0)), lateral = header(files.get(1));
        assertThat(s(ap, TagFromName.ImageType)).isEqualTo("ORIGINAL\\PRIMARY\\LOCALIZER");
        assertThat(Attribute.getSingleIntegerValueOrDefault(ap, TagFromName.Rows, 0)).isEqualTo(512);
        assertThat(Attribute.getSingleIntegerValueOrDefault(ap, TagFromName.Columns, 0)).isEqualTo(256);
        assertThat(d(ap, TagFromName.ImageOrientationPatient)).containsExactly(1, 0, 0, 0, 0, -1);
        assertThat(d(lateral, TagFromName.ImageOrientationPatient)).containsExactly(0, 1, 0, 0, 0, -1);
    }

    @Test
    void thinAndThickAreTwoReconstructionsOfOneAxialScanInOneStudy() throws Exception {
        AttributeList thin = header(exam.series(PhantomExam.THIN).files().get(0));
        AttributeList thick = header(exam.series(PhantomExam.THICK).files().get(0));
        for (AttributeList l : List.of(thin, thick)) {
            assertThat(s(l, TagFromName.ImageType)).isEqualTo("ORIGINAL\\PRIMARY\\AXIAL");
            assertThat(s(l, TagFromName.BodyPartExamined)).isEqualTo("ABDOMEN");
            assertThat(s(l, TagFromName.ContrastBolusAgent)).isNotEmpty();
            assertThat(d(l, TagFromName.ImageOrientationPatient)).containsExactly(1, 0, 0, 0, 1, 0);
        }
        assertThat(s(thin, TagFromName.SliceThickness)).isEqualTo("1.25");
        assertThat(s(thick, TagFromName.SliceThickness)).isEqualTo("5");
        assertThat(s(thin, TagFromName.StudyInstanceUID)).isEqualTo(s(thick, TagFromName.StudyInstanceUID));
        assertThat(s(thin, TagFromName.FrameOfReferenceUID)).isEqualTo(s(thick, TagFromName.FrameOfReferenceUID));
        assertThat(s(thin, TagFromName.SeriesInstanceUID)).isNotEqualTo(s(thick, TagFromName.SeriesInstanceUID));
        // the same 50 mm: first and last positions coincide
        AttributeList thinLast = header(exam.series(PhantomExam.THIN).files().get(40));
        AttributeList thickLast = header(exam.series(PhantomExam.THICK).files().get(10));
        assertThat(d(thin, TagFromName.ImagePositionPatient)[2]).isEqualTo(d(thick, TagFromName.ImagePositionPatient)[2]);
        assertThat(d(thinLast, TagFromName.ImagePositionPatient)[2]).isEqualTo(d(thickLast, TagFromName.ImagePositionPatient)[2]);
    }

    @Test
    void theSeriesLoaderReadsBothReconstructionsAsVolumes() {
        for (String folder : List.of(PhantomExam.THIN, PhantomExam.THICK)) {
            List<SeriesLoadResult> loaded = new SeriesLoader().loadAll(exam.series(folder).files());
            assertThat(loaded).hasSize(1);
            assertThat(loaded.get(0)).as(folder).isInstanceOf(SeriesLoadResult.Loaded.class);
        }
    }

    @Test
    void reformatIsDerivedSecondaryAndTheDosePageIsASecondaryCapture() throws Exception {
        AttributeList reformat = header(exam.series(PhantomExam.REFORMAT).files().get(0));
        assertThat(s(reformat, TagFromName.ImageType)).isEqualTo("DERIVED\\SECONDARY\\REFORMATTED");
        assertThat(d(reformat, TagFromName.ImageOrientationPatient)).containsExactly(1, 0, 0, 0, 0, -1);
        AttributeList dose = header(exam.series(PhantomExam.DOSE).files().get(0));
        assertThat(s(dose, TagFromName.SOPClassUID)).isEqualTo(SOPClass.SecondaryCaptureImageStorage);
        assertThat(s(dose, TagFromName.Modality)).isEqualTo("CT");
        assertThat(s(dose, TagFromName.StudyInstanceUID)).isEqualTo(s(reformat, TagFromName.StudyInstanceUID));
    }

    @Test
    void headSeriesIsAnotherPatientsTiltedScanWithUnevenSpacingAlongZ() throws Exception {
        List<Path> files = exam.series(PhantomExam.HEAD).files();
        AttributeList first = header(files.get(0));
        AttributeList abdomen = header(exam.series(PhantomExam.THIN).files().get(0));
        assertThat(s(first, TagFromName.PatientID)).isNotEqualTo(s(abdomen, TagFromName.PatientID));
        assertThat(s(first, TagFromName.StudyInstanceUID)).isNotEqualTo(s(abdomen, TagFromName.StudyInstanceUID));
        assertThat(s(first, TagFromName.BodyPartExamined)).isEqualTo("HEAD");
        double[] o = d(first, TagFromName.ImageOrientationPatient);
        assertThat(o[4]).isCloseTo(0.948, within(0.001));
        assertThat(o[5]).isCloseTo(-0.317, within(0.001));
        List<Double> steps = new ArrayList<>();
        double[] previous = null;
        for (Path f : files) {
            double[] p = d(header(f), TagFromName.ImagePositionPatient);
            if (previous != null) {
                assertThat(p[0]).isEqualTo(previous[0]);
                assertThat(p[1]).isEqualTo(previous[1]);
                steps.add(p[2] - previous[2]);
            }
            previous = p;
        }
        assertThat(steps.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isCloseTo(1.1, within(1e-6));
        assertThat(steps.stream().mapToDouble(Double::doubleValue).max().orElseThrow()).isCloseTo(7, within(1e-6));
    }

    @Test
    void everyInstanceHasItsOwnUid() throws Exception {
        Set<String> uids = new HashSet<>();
        int n = 0;
        for (PhantomExam.Series series : exam.series()) {
            for (Path f : series.files()) {
                uids.add(s(header(f), TagFromName.SOPInstanceUID));
                n++;
            }
        }
        assertThat(uids).hasSize(n);
    }

    @Test
    void dciodvfyFindsNoErrorInAnyImage() throws Exception {
        Path dciodvfy = Path.of("/usr/bin/dciodvfy");
        assumeThat(Files.isExecutable(dciodvfy)).as("dicom3tools installed (./ctai test installs it)").isTrue();
        for (PhantomExam.Series series : exam.series()) {
            for (Path f : series.files()) {
                Process p = new ProcessBuilder(dciodvfy.toString(), f.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(out.lines().filter(l -> l.startsWith("Error"))).as(f + ":\n" + out).isEmpty();
            }
        }
    }
}
