package org.ctai.inference.series;

import org.ctai.inference.Pydicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Series loading on files written by other software: pydicom's test corpus (Debian python3-pydicom)
 * and the dcmqi CT slices in ../shared/testdata. Each test skips when its files or tools are absent.
 */
class RealCtFilesTest {

    static final Path PYDICOM_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    /** The module runs from inference/, the repository root is one up, shared/ beside the repository. */
    static final Path DCMQI = Path.of("../../shared/testdata/dcmqi-ct3slice").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static Path requireFile(Path file) {
        assumeTrue(Files.isRegularFile(file), file + " is not installed");
        return file;
    }

    private static List<Path> dcmqiSlices() {
        assumeTrue(Files.isDirectory(DCMQI), "dcmqi test data not present at " + DCMQI);
        return List.of(DCMQI.resolve("ct-01.dcm"), DCMQI.resolve("ct-02.dcm"), DCMQI.resolve("ct-03.dcm"));
    }

    private static void assertSameHuAsPydicom(Path file, float[] hu, float paddingFill) throws Exception {
        Pydicom.Reference reference = Pydicom.read(file, hu.length);
        int padded = 0;
        for (int i = 0; i < hu.length; i++) {
            float expected = reference.padding()[i] ? paddingFill : reference.hu()[i];
            if (reference.padding()[i]) padded++;
            if (hu[i] != expected) {
                throw new AssertionError("pixel " + i + " of " + file.getFileName() + ": " + hu[i] + " HU, pydicom " + expected);
            }
        }
        System.out.println(file.getFileName() + ": " + hu.length + " pixels equal to pydicom's, " + padded + " padding");
    }

    @Test
    void ctSmallLoadsWithTheSameHuAsPydicomComputes() throws Exception {
        Path file = requireFile(PYDICOM_FILES.resolve("CT_small.dcm"));
        assertThat(Pydicom.python().isPresent()).as("python3 with pydicom not installed" + " (./ctai test installs the real tools the tests need)").isTrue();

        SeriesLoadResult result = new SeriesLoader().loadAll(List.of(file)).get(0);
        Volume volume = result.volumeOrThrow();

        assertThat(volume.geometry().rows()).isEqualTo(128);
        assertThat(volume.geometry().rowSpacingMm()).isCloseTo(0.661468, within(1e-9));
        assertSameHuAsPydicom(file, volume.readSlice(0), SeriesLoader.DEFAULT_PADDING_FILL_HU);
    }

    @Test
    void dcmqiCtSlicesLoadAsOneContiguousVolumeWithPydicomsHu() throws Exception {
        List<Path> files = dcmqiSlices();

        List<SeriesLoadResult> results = new SeriesLoader().loadAll(files);

        assertThat(results).hasSize(1);
        Volume volume = results.get(0).volumeOrThrow();
        assertThat(volume.sliceCount()).isEqualTo(3);
        assertThat(volume.geometry().rows()).isEqualTo(512);
        assertThat(volume.geometry().columns()).isEqualTo(512);
        assertThat(volume.geometry().rowSpacingMm()).isCloseTo(0.810547, within(1e-9));
        assertThat(volume.geometry().sliceSpacingMm()).isCloseTo(1.0, within(1e-3));
        assertThat(volume.pixelPaddings()).containsExactly(new PixelPadding(-2000, -2000, -1024f));
        if (Pydicom.python().isPresent()) {
            for (int i = 0; i < 3; i++) {
                assertSameHuAsPydicom(volume.slices().get(i).file(), volume.readSlice(i), -1024f);
            }
        }
    }

    /**
     * Lossless compression by other software, as a PACS would send it: the slices decode to exactly the HU of
     * the uncompressed originals. {@code {in}} and {@code {out}} stand for the files.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "dcmcjpeg +e1 {in} {out},                 1.2.840.10008.1.2.4.70",
            "dcmcjpeg +el {in} {out},                 1.2.840.10008.1.2.4.57",
            "gdcmconv --jpeg {in} {out},              1.2.840.10008.1.2.4.70",
            "gdcmconv --j2k {in} {out},               1.2.840.10008.1.2.4.90",
            "dcmcrle {in} {out},                      1.2.840.10008.1.2.5",
            "dcmcjpls {in} {out},                     1.2.840.10008.1.2.4.80",
    })
    void losslessCompressedSlicesDecodeToTheSameHuAsUncompressed(String encoder, String transferSyntax) throws Exception {
        List<Path> files = dcmqiSlices();
        List<Path> compressed = new ArrayList<>();
        for (Path f : files) {
            Path out = dir.resolve("c-" + f.getFileName());
            String[] command = encoder.replace("{in}", f.toString()).replace("{out}", out.toString()).split(" ");
            assertThat(run(command)).as(command[0] + " not installed (./ctai test installs the real tools the tests need)").isTrue();
            assertThat(SliceHeader.read(out).transferSyntaxUid).isEqualTo(transferSyntax);
            compressed.add(out);
        }

        Volume plain = new SeriesLoader().loadAll(files).get(0).volumeOrThrow();
        Volume decoded = new SeriesLoader().loadAll(compressed).get(0).volumeOrThrow();

        assertThat(decoded.geometry()).isEqualTo(plain.geometry());
        assertThat(decoded.readSlices(0, 3)).isDeepEqualTo(plain.readSlices(0, 3));
    }

    @Test
    void decodesLossyJpeg2000ToTheSameHuAsGdcm() throws Exception {
        Path lossy = dir.resolve("lossy.dcm");
        Path gdcmDecoded = dir.resolve("gdcm-decoded.dcm");
        assertThat(run("gdcmconv", "--j2k", "--lossy", "-q", "40", dcmqiSlices().get(0).toString(), lossy.toString()))
                .as("gdcmconv not installed (./ctai test installs the real tools the tests need)").isTrue();
        run("gdcmconv", "--raw", lossy.toString(), gdcmDecoded.toString());
        assertThat(SliceHeader.read(lossy).transferSyntaxUid).isEqualTo("1.2.840.10008.1.2.4.91");

        float[] ours = new SeriesLoader().loadAll(List.of(lossy)).get(0).volumeOrThrow().readSlice(0);
        float[] gdcms = new SeriesLoader().loadAll(List.of(gdcmDecoded)).get(0).volumeOrThrow().readSlice(0);

        assertThat(ours).containsExactly(gdcms);
    }

    @Test
    void decodesNearLosslessJpegLsToTheSameHuAsGdcmWithinItsDeclaredError() throws Exception {
        Path source = dcmqiSlices().get(0);
        Path nearLossless = dir.resolve("jls-near.dcm");
        Path gdcmDecoded = dir.resolve("jls-gdcm-decoded.dcm");
        // (DCMTK's dcmcjpls does near-lossless for unsigned pixels only; CT's are signed) NEAR = 2: no stored
        // value may differ from the original by more than 2, HU at slope 1
        assertThat(run("gdcmconv", "--jpegls", "--lossy", "--allowed-error", "2", source.toString(), nearLossless.toString()))
                .as("gdcmconv not installed (./ctai test installs the real tools the tests need)").isTrue();
        run("gdcmconv", "--raw", nearLossless.toString(), gdcmDecoded.toString());
        assertThat(SliceHeader.read(nearLossless).transferSyntaxUid).isEqualTo("1.2.840.10008.1.2.4.81");

        float[] original = new SeriesLoader().loadAll(List.of(source)).get(0).volumeOrThrow().readSlice(0);
        float[] ours = new SeriesLoader().loadAll(List.of(nearLossless)).get(0).volumeOrThrow().readSlice(0);
        float[] gdcms = new SeriesLoader().loadAll(List.of(gdcmDecoded)).get(0).volumeOrThrow().readSlice(0);

        assertThat(ours).containsExactly(gdcms);
        double worst = 0;
        for (int i = 0; i < original.length; i++) worst = Math.max(worst, Math.abs(ours[i] - original[i]));
        assertThat(worst).isLessThanOrEqualTo(2.0);
    }

    @Test
    void refusesPydicomsMrAsNotCt() {
        Path file = requireFile(PYDICOM_FILES.resolve("MR_small.dcm"));

        SeriesLoadResult result = new SeriesLoader().loadAll(List.of(file)).get(0);

        assertThat(result).isInstanceOfSatisfying(SeriesLoadResult.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Refusal.NOT_CT));
    }

    /** Runs a DCMTK tool; false when it is not installed. */
    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return false;
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return true;
    }
}
