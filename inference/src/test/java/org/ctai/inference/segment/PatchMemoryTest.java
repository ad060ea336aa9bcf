package org.ctai.inference.segment;

import org.ctai.inference.TestModels;
import org.ctai.inference.StageTimer;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 3-D path holds the volume at the model's spacing as floats, the labels as bytes and the blending
 * accumulators of one patch depth only: a 512 x 512 x 600 series, at its own spacing (the worst case: no
 * downsampling), runs through the two-label model in a child JVM with a 2 GB heap.
 */
class PatchMemoryTest {

    static final int SLICES = 600;
    static final int SIZE = 512;

    @TempDir
    Path dir;

    /** Child JVM entry: segments a synthetic series (a ball per label) made slice by slice, prints voxels per label. */
    public static void main(String[] args) {
        List<Vector3> positions = new ArrayList<>();
        for (int z = 0; z < SLICES; z++) positions.add(new Vector3(0, 0, z));
        Geometry g = new Geometry(SIZE, SIZE, 1, 1, new Vector3(1, 0, 0), new Vector3(0, 1, 0), positions);
        long[] counts = new long[3];
        long t0 = System.nanoTime();
        try (Segmenter segmenter = Segmenter.open(ModelConfig.builder().file(Path.of(args[0])).device(ModelSpec.Device.CPU).build())) {
            byte[][] masks = segmenter.segmentGrid(g, SLICES, PatchMemoryTest::slice, "memory-test", new StageTimer());
            for (byte[] mask : masks) for (byte b : mask) counts[b]++;
        }
        System.out.println("label1=" + counts[1] + " label2=" + counts[2] + " seconds=" + (System.nanoTime() - t0) / 1e9
                + " maxHeapMB=" + Runtime.getRuntime().maxMemory() / (1 << 20));
    }

    /** Balls of radius 20 voxels: -20 HU (label 1) at slice 150, 100 HU (label 2) at slice 450, both centred in-plane. */
    static float[] slice(int z) {
        float[] hu = new float[SIZE * SIZE];
        for (int r = 0; r < SIZE; r++) {
            for (int c = 0; c < SIZE; c++) {
                double d2 = (r - 256.0) * (r - 256.0) + (c - 256.0) * (c - 256.0);
                hu[r * SIZE + c] = d2 + (z - 150.0) * (z - 150.0) <= 400 ? -20 : d2 + (z - 450.0) * (z - 450.0) <= 400 ? 100 : -100;
            }
        }
        return hu;
    }

    static long ballVoxels() {
        long n = 0;
        for (int z = -20; z <= 20; z++) for (int r = -20; r <= 20; r++) for (int c = -20; c <= 20; c++) if (z * z + r * r + c * c <= 400) n++;
        return n;
    }

    @Test
    void a512By512By600SeriesRunsThroughThe3dPathInA2GbHeap() throws Exception {
        Path model = Files.copy(TestModels.SOFTMAX_PATCH, dir.resolve("big.onnx"));
        Files.writeString(dir.resolve("big.manifest.json"), """
                {"manifest-version": 1, "input": {"layout": "patch-3d", "patch-size": [32, 128, 128], "overlap": 0.5},
                 "normalization": {"method": "window", "center": 0, "width": 200}, "output": {"kind": "softmax"},
                 "labels": [{"type": "SCT:108369006:Neoplasm"}, {"type": "SCT:86049000:Malignant neoplasm, primary"}]}""");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), PatchMemoryTest.class.getName(), model.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(300, TimeUnit.SECONDS)).isTrue();

        assertThat(child.exitValue()).as(output).isZero();
        long ball = ballVoxels();
        assertThat(output).contains("label1=" + ball + " label2=" + ball).contains("maxHeapMB=2048");
    }
}
