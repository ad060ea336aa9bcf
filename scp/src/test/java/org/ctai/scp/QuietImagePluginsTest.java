package org.ctai.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.ctai.inference.series.SeriesLoadResult;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PixelMed's JPEG lossless plugin prints a debug line on standard error at every ImageIO probe; with
 * {@link QuietImagePlugins} installed nothing of it reaches standard error, our own lines do, and decoding is unchanged.
 */
class QuietImagePluginsTest {
    @TempDir
    Path tmp;

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What reached standard error while {@code action} ran with the filter installed in front of a capture. */
    private static String stderrOf(boolean quiet, ThrowingRunnable action) throws Exception {
        PrintStream previous = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            if (quiet) QuietImagePlugins.install();
            action.run();
        } finally {
            System.setErr(previous);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static byte[] png() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", png);
        return png.toByteArray();
    }

    @Test
    void withoutTheFilterEveryImageReadPrintsThePluginsLine() throws Exception {
        byte[] png = png();
        String printed = stderrOf(false, () -> ImageIO.read(new ByteArrayInputStream(png)));
        assertThat(printed).contains("JPEGLosslessImageReaderSpi.canDecodeInput() = false");
    }

    @Test
    void withTheFilterAnImageReadPrintsNothingAndOurOwnLinesStillPass() throws Exception {
        byte[] png = png();
        String printed = stderrOf(true, () -> {
            assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
            System.err.println("our own line");
            System.err.println((String) null);
        });
        assertThat(printed).isEqualTo("our own line" + System.lineSeparator() + "null" + System.lineSeparator());
    }

    @Test
    void jpegLosslessSeriesDecodesToTheOriginalsHuAndNothingReachesStandardError() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/dcmcjpeg"))).as("DCMTK installed (./ctai test installs it)").isTrue();
        var files = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(31).withSize(64).withSlices(3)), tmp.resolve("p"));
        Files.createDirectories(tmp.resolve("jl"));
        for (Path f : files.images()) {
            Process p = new ProcessBuilder("dcmcjpeg", "+e1", f.toString(), tmp.resolve("jl").resolve(f.getFileName()).toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor()).isZero();
        }
        List<Path> compressed;
        try (var list = Files.list(tmp.resolve("jl"))) {
            compressed = list.sorted().toList();
        }
        byte[] png = png();
        float[][][] hu = new float[2][][];
        String printed = stderrOf(true, () -> {
            hu[0] = volume(compressed).readSlices(0, 3);
            hu[1] = volume(files.images()).readSlices(0, 3);
            // PixelMed rescans the plugins at every compressed frame: the filter must outlast that
            ImageIO.read(new ByteArrayInputStream(png));
        });
        assertThat(printed).doesNotContain("canDecodeInput");
        assertThat(hu[0]).isDeepEqualTo(hu[1]);
    }

    private static Volume volume(List<Path> files) {
        SeriesLoadResult r = new SeriesLoader().loadAll(files).get(0);
        assertThat(r).isInstanceOf(SeriesLoadResult.Loaded.class);
        return ((SeriesLoadResult.Loaded) r).volume();
    }
}
