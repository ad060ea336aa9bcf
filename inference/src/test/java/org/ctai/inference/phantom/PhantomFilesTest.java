package org.ctai.inference.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomFilesTest {

    private static final PhantomSpec SPEC = PhantomSpec.of(77).withSize(128).withSlices(5).withSliceSpacingMm(5)
            .withPatient("DOE^JANE", "PH-77").withDescriptions("CT ABDOMEN TEST", "Axial 5 mm");

    private static Phantom phantom;
    private static PhantomFiles files;

    @TempDir
    static Path dir;

    @BeforeAll
    static void write() throws IOException {
        phantom = PhantomGenerator.generate(SPEC);
        files = PhantomGenerator.write(phantom, dir.resolve("a"));
    }

    @Test
    void writesOneImageAndOneMaskPerSliceWithPairedNames() {
        assertThat(files.images()).hasSize(5);
        assertThat(files.masks()).hasSize(5);
        for (int k = 0; k < 5; k++) {
            String stem = String.format("slice-%04d", k);
            assertThat(files.images().get(k)).hasFileName(stem + ".dcm").exists();
            assertThat(files.masks().get(k)).hasFileName(stem + ".png").exists();
        }
        assertThat(files.truth()).exists();
    }

    @Test
    void pixelMedReadsTheCtImagesBackAsWritten() throws Exception {
        for (int k = 0; k < phantom.sliceCount(); k++) {
            AttributeList list = new AttributeList();
            list.read(files.images().get(k).toFile());
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID)).isEqualTo(SOPClass.CTImageStorage);
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID)).isEqualTo(TransferSyntax.ExplicitVRLittleEndian);
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality)).isEqualTo("CT");
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PatientName)).isEqualTo("DOE^JANE");
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PatientID)).isEqualTo("PH-77");
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.StudyDate)).isEqualTo("20240115");
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID)).isEqualTo(phantom.seriesInstanceUid());
            assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID)).isEqualTo(phantom.sopInstanceUid(k));
            assertThat(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.InstanceNumber, -1)).isEqualTo(5 - k);
            assertThat(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, -1)).isEqualTo(128);
            assertThat(Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, -1)).isEqualTo(1);
            assertThat(Attribute.getDoubleValues(list, TagFromName.PixelSpacing)).containsExactly(3.0, 3.0);
            assertThat(Attribute.getDoubleValues(list, TagFromName.ImagePositionPatient)[2])
                    .isEqualTo(phantom.geometry().slicePositions().get(k).z());
            double intercept = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0);
            short[] stored = list.get(TagFromName.PixelData).getShortValues();
            short[] hu = phantom.hu(k);
            assertThat(stored).hasSameSizeAs(hu);
            for (int i = 0; i < hu.length; i++) {
                if (stored[i] + intercept != hu[i]) throw new AssertionError("slice " + k + " pixel " + i + ": " + stored[i] + " + " + intercept + " != " + hu[i]);
            }
        }
    }

    @Test
    void masksArePngsOfTheTruth() throws Exception {
        for (int k = 0; k < phantom.sliceCount(); k++) {
            BufferedImage image = ImageIO.read(files.masks().get(k).toFile());
            assertThat(image.getWidth()).isEqualTo(128);
            byte[] mask = phantom.mask(k);
            for (int r = 0; r < 128; r++) {
                for (int c = 0; c < 128; c++) {
                    int grey = image.getRaster().getSample(c, r, 0);
                    assertThat(grey).isEqualTo(mask[r * 128 + c] != 0 ? 255 : 0);
                }
            }
        }
    }

    @Test
    void truthSummaryListsEveryTumour() throws Exception {
        JsonNode json = new ObjectMapper().readTree(files.truth().toFile());
        assertThat(json.get("seed").asLong()).isEqualTo(77);
        assertThat(json.get("totalVoxelCount").asLong()).isEqualTo(phantom.truthVoxelCount());
        assertThat(json.get("tumours")).hasSize(phantom.tumours().size());
        for (int i = 0; i < phantom.tumours().size(); i++) {
            TumourTruth t = phantom.tumours().get(i);
            assertThat(json.get("tumours").get(i).get("voxelCount").asLong()).isEqualTo(t.voxelCount());
            assertThat(json.get("tumours").get(i).get("volumeMm3").asDouble()).isEqualTo(t.volumeMm3());
        }
        long sum = 0;
        for (JsonNode n : json.get("sliceVoxelCounts")) sum += n.asLong();
        assertThat(sum).isEqualTo(phantom.truthVoxelCount());
    }

    @Test
    void sameSpecWritesByteIdenticalFiles() throws Exception {
        PhantomFiles again = PhantomGenerator.write(PhantomGenerator.generate(SPEC), dir.resolve("b"));
        for (int k = 0; k < 5; k++) {
            assertThat(Files.readAllBytes(again.images().get(k))).isEqualTo(Files.readAllBytes(files.images().get(k)));
            assertThat(Files.readAllBytes(again.masks().get(k))).isEqualTo(Files.readAllBytes(files.masks().get(k)));
        }
        assertThat(Files.readAllBytes(again.truth())).isEqualTo(Files.readAllBytes(files.truth()));
    }

    @Test
    void pydicomReadsTheSameHounsfieldUnits() throws Exception {
        Optional<String> python = pythonWith("pydicom");
        assertThat(python).as("python3 with pydicom (Debian python3-pydicom; ./ctai test installs it)").isPresent();
        String script = String.join("\n",
                "import sys, pydicom",
                "from pydicom.pixel_data_handlers.util import apply_modality_lut",
                "for path in sys.argv[1:]:",
                "    ds = pydicom.dcmread(path)",
                "    hu = apply_modality_lut(ds.pixel_array, ds)",
                "    print(ds.SOPClassUID, ds.Modality, ds.Rows, int(ds.ImagePositionPatient[2] * 1000),",
                "          int(hu.astype('int64').sum()), int(hu.min()), int(hu.max()))");
        List<String> command = new ArrayList<>(List.of(python.get(), "-c", script));
        files.images().forEach(p -> command.add(p.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String[] lines = out.strip().split("\n");
        assertThat(lines).hasSize(5);
        for (int k = 0; k < 5; k++) {
            short[] hu = phantom.hu(k);
            long sum = 0;
            int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
            for (short v : hu) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            long z = (long) (phantom.geometry().slicePositions().get(k).z() * 1000);
            assertThat(lines[k]).isEqualTo(SOPClass.CTImageStorage + " CT 128 " + z + " " + sum + " " + min + " " + max);
        }
    }

    @Test
    void dciodvfyFindsNoErrors() throws Exception {
        Path dciodvfy = Path.of("/usr/bin/dciodvfy");
        assertThat(Files.isExecutable(dciodvfy)).as("dicom3tools' dciodvfy (./ctai test installs it)").isTrue();
        Process p = new ProcessBuilder(dciodvfy.toString(), files.images().get(2).toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("CTImage").doesNotContain("Error").doesNotContain("Warning");
    }

    /** Debian's interpreter first: a pyenv or venv python3 on PATH usually lacks Debian's packages. */
    private static Optional<String> pythonWith(String module) throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import " + module).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(candidate);
            } catch (IOException e) {
                // no interpreter under this name: try the next
            }
        }
        return Optional.empty();
    }
}
