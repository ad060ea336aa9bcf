package org.ctai.inference.series;

import org.ctai.inference.SyntheticCt;
import org.ctai.inference.TestModels;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.segment.Segmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A volume keeps geometry and per-slice metadata only and reads pixels a batch at a time: a series
 * whose HU would take 200 MB loads and segments in a child JVM with a 64 MB heap. (The 1000-slice,
 * 2 GB case of the issue is the same ratio, 1 GB of HU in a 2 GB heap, with a larger margin.)
 */
class LazyReadingMemoryTest {

    static final int SLICES = 200;
    static final int SIZE = 512;

    @TempDir
    Path dir;

    /** Child JVM entry: loads the series, segments it with the threshold model in batches of 8, prints the marked pixels. */
    public static void main(String[] args) {
        Volume volume = new SeriesLoader().load(List.of(Path.of(args[0])), args[1]).volumeOrThrow();
        long[] marked = {0};
        try (Segmenter segmenter = Segmenter.open(ModelConfig.builder().file(Path.of(args[2])).batchSize(8)
                .device(ModelSpec.Device.CPU).build())) {
            segmenter.segment(volume, (index, hu, mask) -> {
                for (byte b : mask) marked[0] += b;
            });
        }
        Runtime rt = Runtime.getRuntime();
        System.out.println("slices=" + volume.sliceCount() + " marked=" + marked[0] + " maxHeapMB=" + rt.maxMemory() / (1 << 20));
    }

    @Test
    void aSeriesThreeTimesLargerThanTheHeapLoadsAndSegmentsInBatches() throws Exception {
        SyntheticCt.Series series = new SyntheticCt.Series();
        long expectedMarked = 0;
        for (int i = 0; i < SLICES; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.rows = SIZE;
            s.columns = SIZE;
            s.writeTo(dir);
            for (int r = 0; r < SIZE; r++) {
                for (int c = 0; c < SIZE; c++) {
                    // threshold model: window centre 0 from its metadata, so HU >= 0 is marked (intercept -1024)
                    if (SyntheticCt.storedValue(i, r, c) - 1024 >= 0) expectedMarked++;
                }
            }
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), LazyReadingMemoryTest.class.getName(),
                dir.toString(), series.seriesUid, TestModels.THRESHOLD.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("slices=" + SLICES + " marked=" + expectedMarked + " maxHeapMB=");
    }
}
