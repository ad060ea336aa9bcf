package org.ctai.bench;

import org.ctai.scp.process.ModelPipeline;

import org.ctai.scp.Node;
import org.ctai.scp.config.NodeConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;
import org.ctai.srwriter.ModelInfo;
import org.ctai.srwriter.ResultWriter;

/**
 * The part of {@code ./ctai bench inference} that needs sr-writer: time to build and write SEG + SR +
 * overlays for one series, as a share of the whole pipeline (load, inference, measurement, writing).
 */
final class WritingShareBenchmark {
    private final NodeConfig.Inference config;
    private final int slices;
    private final int size;
    private final int rounds;
    private final PrintStream out;

    WritingShareBenchmark(NodeConfig.Inference config, int slices, int size, int rounds, PrintStream out) {
        this.config = config;
        this.slices = slices;
        this.size = size;
        this.rounds = rounds;
        this.out = out;
    }

    void run() throws Exception {
        try (ScratchFolder work = new ScratchFolder("ctai-bench-writing"); ModelPipeline pipeline = ModelPipeline.open(config)) {
            Path dir = PhantomGenerator.write(PhantomGenerator.generate(PhantomSpec.of(13).withSlices(slices).withSize(size).withTumours(2)),
                    work.resolve("series")).directory().resolve("dicom");
            SeriesAnalyzer analyzer = pipeline.analyzer();
            ResultWriter writer = pipeline.writer();
            double bestPipeline = Double.MAX_VALUE;
            double bestWriting = Double.MAX_VALUE;
            int lesions = 0;
            int objects = 0;
            for (int r = 0; r <= rounds; r++) { // round 0 warms up
                long t0 = System.nanoTime();
                Volume volume = new SeriesLoader().loadAll(List.of(dir)).get(0).volumeOrThrow();
                SeriesAnalyzer.Analysis a = analyzer.analyze(volume);
                long t1 = System.nanoTime();
                objects = ResultWriter.write(writer.build(a), work.resolve("out-" + r)).size();
                long t2 = System.nanoTime();
                lesions = a.lesions().size();
                if (r > 0) {
                    bestPipeline = Math.min(bestPipeline, (t1 - t0) / 1e9);
                    bestWriting = Math.min(bestWriting, (t2 - t1) / 1e9);
                }
            }
            out.printf(Locale.ROOT, "%nbuilding and writing SEG + SR + overlays (%d objects, %d lesions, %d slices of %dx%d), best of %d:%n",
                    objects, lesions, slices, size, size, rounds);
            out.printf(Locale.ROOT, "  load + inference + measurement %8.2f s%n  SEG + SR + overlays            %8.2f s  = %.1f%% of the pipeline (goal < 5%%)%n",
                    bestPipeline, bestWriting, 100 * bestWriting / (bestPipeline + bestWriting));
        }
    }
}
