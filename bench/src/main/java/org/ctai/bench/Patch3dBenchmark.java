package org.ctai.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.segment.PatchGrid;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * The 3-D half of {@code ./ctai bench inference}: a patch-3d manifest model's whole node path on a phantom series
 * (load, resample to the model's spacing, normalise, every patch through ONNX Runtime, Gaussian blending, labels
 * back to the series' grid) beside bare {@code OrtSession.run} on as many patch tensors of the same shape with the
 * same session options, in series/s and their ratio, best of {@code rounds}.
 */
final class Patch3dBenchmark {
    private final ModelConfig model;
    private final int slices;
    private final int size;
    private final int rounds;
    private final PrintStream out;

    Patch3dBenchmark(ModelConfig model, int slices, int size, int rounds, PrintStream out) {
        this.model = model;
        this.slices = slices;
        this.size = size;
        this.rounds = rounds;
        this.out = out;
    }

    void run(Path work) throws IOException, OrtException {
        try (Segmenter segmenter = Segmenter.open(model)) {
            Path dir = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(13).withSlices(slices).withSize(size)),
                    work.resolve("series3d")).directory().resolve("dicom");
            Volume volume = load(dir);
            PatchGrid grid = segmenter.patchGrid(volume).orElse(null);
            if (grid == null) {
                out.printf("%n3-D path: %s is not a patch-3d model (its manifest's input.layout); skipped%n",
                        segmenter.spec().source().description());
                return;
            }
            double node = 0;
            double bare = 0;
            try (OrtSession session = InferenceBenchmark.bareSession(segmenter.spec())) {
                nodePath(segmenter, dir);
                barePath(session, segmenter.spec().inputName(), grid);
                for (int r = 0; r < rounds; r++) {
                    node = Math.max(node, nodePath(segmenter, dir));
                    bare = Math.max(bare, barePath(session, segmenter.spec().inputName(), grid));
                }
            }
            out.printf("%n3-D path: model %s; %d slices of %dx%d -> grid %dx%dx%d at %s, %d patches of %dx%dx%d, best of %d rounds%n%n",
                    segmenter.spec().source().description(), slices, size, size, grid.slices(), grid.rows(), grid.columns(),
                    segmenter.spec().targetSpacing().map(Object::toString).orElse("the series' spacing"), grid.patches(),
                    grid.patchSlices(), grid.patchRows(), grid.patchColumns(), rounds);
            out.printf("%-72s %9s %7s%n", "path", "series/s", "ratio");
            out.printf("%-72s %9.3f %7s%n", "bare OrtSession.run, as many patches of the same shape", bare, "1.00");
            out.printf("%-72s %9.3f %7.2f%n", "node: load + resample + normalise + patches + blending + labels back", node, node / bare);
        }
    }

    private static Volume load(Path dir) {
        return new SeriesLoader().loadAll(List.of(dir)).get(0).volumeOrThrow();
    }

    private static double nodePath(Segmenter segmenter, Path dir) {
        long t = System.nanoTime();
        segmenter.segment(load(dir));
        return 1 / ((System.nanoTime() - t) / 1e9);
    }

    private static double barePath(OrtSession session, String inputName, PatchGrid grid) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] patch = new float[grid.patchSlices() * grid.patchRows() * grid.patchColumns()];
        Arrays.fill(patch, 0.5f);
        long[] shape = {1, 1, grid.patchSlices(), grid.patchRows(), grid.patchColumns()};
        long t = System.nanoTime();
        for (int i = 0; i < grid.patches(); i++) {
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(patch), shape);
                 OrtSession.Result result = session.run(Map.of(inputName, input))) {
                result.get(0);
            }
        }
        return 1 / ((System.nanoTime() - t) / 1e9);
    }
}
