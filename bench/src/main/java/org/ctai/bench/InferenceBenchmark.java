package org.ctai.bench;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.segment.SliceNormalizer;
import org.ctai.inference.series.Volume;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * {@code ./ctai bench inference}: slices/s of the node's whole path on a phantom series (load with
 * PixelMed, normalise, letterbox, ONNX Runtime, decode, measure) beside bare {@code OrtSession.run} on
 * the same normalised tensors with the same session options, and their ratio; then the peak heap while a
 * long series goes through the same path. Figures are the best of {@code rounds} runs.
 */
public final class InferenceBenchmark {
    private final ModelConfig model;
    private final int slices;
    private final int size;
    private final int rounds;
    private final int peakSlices;
    private final PrintStream out;

    public InferenceBenchmark(ModelConfig model, int slices, int size, int rounds, int peakSlices, PrintStream out) {
        this.model = model;
        this.slices = slices;
        this.size = size;
        this.rounds = rounds;
        this.peakSlices = peakSlices;
        this.out = out;
    }

    public void run() throws IOException, OrtException {
        Path work = Files.createTempDirectory("ctai-bench-inference");
        try (Segmenter segmenter = Segmenter.open(model)) {
            ModelSpec spec = segmenter.spec();
            out.printf("model %s on %s (%s), %s threads%n", spec.source().description(), segmenter.provider().kind(),
                    segmenter.provider().reason(), spec.threads() == 0 ? "ONNX Runtime's default" : spec.threads());
            Path dir = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(11).withSlices(slices).withSize(size)),
                    work.resolve("series")).directory().resolve("dicom");
            SeriesAnalyzer analyzer = new SeriesAnalyzer(segmenter, new LesionMeasurer());
            double node = 0;
            double bare = 0;
            try (OrtSession session = bareSession(spec)) {
                float[][] tensors = tensors(dir, spec);
                nodePath(analyzer, dir); // warm-up: JIT, first run
                barePath(session, spec, tensors);
                for (int r = 0; r < rounds; r++) {
                    node = Math.max(node, nodePath(analyzer, dir));
                    bare = Math.max(bare, barePath(session, spec, tensors));
                }
            }
            out.printf("%d slices of %dx%d, best of %d rounds%n%n", slices, size, size, rounds);
            out.printf("%-58s %10s %7s%n", "path", "slices/s", "ratio");
            out.printf("%-58s %10.2f %7s%n", "bare OrtSession.run, same tensors and session options", bare, "1.00");
            out.printf("%-58s %10.2f %7.2f%n", "node: load + normalise + ONNX Runtime + decode + measure", node, node / bare);
            if (peakSlices > 0) peakHeap(analyzer, work);
        } finally {
            deleteTree(work);
        }
    }

    private double nodePath(SeriesAnalyzer analyzer, Path dir) {
        long t = System.nanoTime();
        Volume volume = new SeriesLoader().loadAll(List.of(dir)).get(0).volumeOrThrow();
        analyzer.analyze(volume);
        return volume.sliceCount() / ((System.nanoTime() - t) / 1e9);
    }

    private static double barePath(OrtSession session, ModelSpec spec, float[][] tensors) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int side = (int) Math.round(Math.sqrt(tensors[0].length));
        long t = System.nanoTime();
        for (float[] slice : tensors) {
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(slice), new long[] {1, 1, side, side});
                 OrtSession.Result result = session.run(Map.of(spec.inputName(), input))) {
                result.get(0);
            }
        }
        return tensors.length / ((System.nanoTime() - t) / 1e9);
    }

    /** The model's input for each slice, prepared once with the node's own normalisation (square slices, multiple of 8). */
    private static float[][] tensors(Path dir, ModelSpec spec) {
        Volume v = new SeriesLoader().loadAll(List.of(dir)).get(0).volumeOrThrow();
        Geometry g = v.geometry();
        float[][] out = new float[v.sliceCount()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = SliceNormalizer.normalize(spec.normalization(), v.readSlice(i), g.rows(), g.columns(), v.seriesInstanceUid());
        }
        return out;
    }

    /** A session on the model with the node's session options, none of its machinery. */
    static OrtSession bareSession(ModelSpec spec) throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        if (spec.threads() > 0) options.setIntraOpNumThreads(spec.threads());
        return spec.source().openSession(env, options);
    }

    private void peakHeap(SeriesAnalyzer analyzer, Path work) throws IOException {
        out.printf("%nwriting a %d-slice %dx%d phantom for the peak-heap run...%n", peakSlices, size, size);
        Path dir = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(12).withSlices(peakSlices).withSize(size)),
                work.resolve("long")).directory().resolve("dicom");
        System.gc();
        List<MemoryPoolMXBean> heap = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
                heap.add(p);
            }
        }
        long before = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        double rate = nodePath(analyzer, dir);
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        out.printf("%d slices: %.2f slices/s, peak heap %.0f MB (%.0f MB before; max heap %.0f MB)%n", peakSlices, rate,
                peak / 1e6, before / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
