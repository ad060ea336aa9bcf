package org.ctai.scp.process;

import org.ctai.inference.InferenceException;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.overlay.OverlayRenderer;
import org.ctai.inference.segment.Segmenter;
import org.ctai.scp.Node;
import org.ctai.scp.NodeException;
import org.ctai.scp.config.NodeConfig;
import org.ctai.srwriter.ModelInfo;
import org.ctai.srwriter.ResultWriter;

import java.nio.file.Path;
import java.time.Clock;

/**
 * One model, ready to process series: its segmenter (ONNX Runtime session), the analyzer that measures what it finds,
 * the SEG/SR writer and the overlay renderer, built from the node's {@code model.*}, {@code measure.*} and
 * {@code results.*} settings. The one place that wires segmenter, analyzer and writer: the node builds one per
 * pipeline, and {@code ./ctai analyze} and the benchmarks build theirs here too. Thread-safe; close it to free the
 * model's native session.
 */
public final class ModelPipeline implements AutoCloseable {
    private final String name;
    private final Segmenter segmenter;
    private final SeriesAnalyzer analyzer;
    private final ResultWriter writer;
    private final OverlayRenderer renderer;

    private ModelPipeline(String name, Segmenter segmenter, NodeConfig.Inference config) {
        this.name = name;
        this.segmenter = segmenter;
        this.analyzer = new SeriesAnalyzer(segmenter, new LesionMeasurer(config.measurement()));
        this.writer = new ResultWriter(config.results(), ModelInfo.of(segmenter, Node.VERSION), segmenter.spec().labels().get(0),
                Clock.systemDefaultZone());
        this.renderer = new OverlayRenderer(config.overlayWindow());
    }

    /**
     * Loads the model of pipeline {@code name}: {@code modelFile} as {@code model.file} takes it, or the node's
     * {@code model.file} when empty; every other {@code model.*} key applies as configured.
     *
     * @throws NodeException naming the pipeline if the model cannot be loaded or does not fit its specification
     */
    public static ModelPipeline open(String name, String modelFile, NodeConfig.Inference config) {
        ModelConfig model = modelFile.isBlank() ? config.model() : config.model().withFile(Path.of(modelFile));
        Segmenter segmenter;
        try {
            segmenter = Segmenter.open(model);
        } catch (InferenceException e) {
            throw new NodeException("pipeline " + name + ": the segmentation model could not be loaded: " + e.getMessage(), e);
        }
        try {
            return new ModelPipeline(name, segmenter, config);
        } catch (RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /** The node's own model ({@code model.file}), as {@code ./ctai analyze} and the single-model node use it. */
    public static ModelPipeline open(NodeConfig.Inference config) {
        return open("default", "", config);
    }

    public String name() {
        return name;
    }

    public Segmenter segmenter() {
        return segmenter;
    }

    public SeriesAnalyzer analyzer() {
        return analyzer;
    }

    public ResultWriter writer() {
        return writer;
    }

    public OverlayRenderer renderer() {
        return renderer;
    }

    /** The node's processing step for this pipeline's jobs. */
    public InferenceProcessor processor() {
        return new InferenceProcessor(analyzer, writer, renderer);
    }

    @Override
    public void close() {
        segmenter.close();
    }
}
