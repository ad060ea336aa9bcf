package org.ctai.inference.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomSpecAndCliTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreAnAdultAbdomenSeries() {
        PhantomSpec spec = PhantomSpec.of(3);
        assertThat(spec.size()).isEqualTo(512);
        assertThat(spec.pixelSpacingMm()).isEqualTo(0.75);
        assertThat(spec.fieldOfViewMm()).isEqualTo(384);
        assertThat(spec.patientId()).isEqualTo("CTAI-PHANTOM-3");
    }

    @Test
    void changingSizeKeepsTheFieldOfView() {
        PhantomSpec spec = PhantomSpec.of(3).withSize(256);
        assertThat(spec.pixelSpacingMm()).isEqualTo(1.5);
        assertThat(spec.withPixelSpacingMm(1.0).fieldOfViewMm()).isEqualTo(256);
    }

    @Test
    void rejectsEveryBadValueAndNamesIt() {
        assertThatThrownBy(() -> new PhantomSpec(1, 0, 8, -1, 0, 9, 0, -1, "A", "", PhantomSpec.DEFAULT_STUDY_DATE, "", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slices must be 1..2000, was 0")
                .hasMessageContaining("size must be 16..2048, was 8")
                .hasMessageContaining("pixelSpacingMm must be > 0 and <= 10, was -1.0")
                .hasMessageContaining("sliceSpacingMm must be > 0 and <= 20, was 0.0")
                .hasMessageContaining("tumours must be 0..8, was 9")
                .hasMessageContaining("tumourScale must be > 0 and <= 3, was 0.0")
                .hasMessageContaining("noiseSigmaHu must be 0..200, was -1.0")
                .hasMessageContaining("patientId must be 1..64 characters, was ''");
    }

    @Test
    void commandLineWritesConsecutiveSeeds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = PhantomCli.run(new String[] {"--out", dir.toString(), "--seed", "5", "--count", "2", "--size", "64",
                "--slices", "3", "--tumours", "1"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(status).isZero();
        assertThat(dir.resolve("seed-5/dicom/slice-0002.dcm")).exists();
        assertThat(dir.resolve("seed-6/masks/slice-0000.png")).exists();
        assertThat(dir.resolve("seed-6/truth.json")).exists();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("seed 5, 3 slices of 64x64, 1 tumours").contains("seed 6");
    }

    @Test
    void commandLineNamesTheBadOptionAndValue() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PhantomCli.run(new String[] {"--out", dir.toString(), "--slices", "many"}, out))
                .hasMessage("--slices must be a whole number, was 'many'");
        assertThatThrownBy(() -> PhantomCli.run(new String[] {"--out", dir.toString(), "--colour", "red"}, out))
                .hasMessage("unknown option --colour");
        assertThatThrownBy(() -> PhantomCli.run(new String[] {"--seed", "1"}, out)).hasMessage("--out is required");
    }
}
