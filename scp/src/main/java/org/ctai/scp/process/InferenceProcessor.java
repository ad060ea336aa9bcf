package org.ctai.scp.process;

import org.ctai.scp.queue.SeriesProcessor;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ctai.inference.InferenceException;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.SeriesLoadException;
import org.ctai.inference.SeriesLoadResult;
import org.ctai.inference.SeriesLoader;
import org.ctai.inference.Volume;
import org.ctai.inference.overlay.OverlayRenderer;
import org.ctai.srwriter.ResultWriter;
import org.ctai.srwriter.SrWriteException;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's processing step: load the series from the spool, segment it, measure every lesion, write the
 * SEG, SR and overlays into the attempt's results folder. A series
 * the loader refuses (not CT, mixed sizes, undecodable transfer syntax, ...) fails permanently with the
 * loader's reason; a model failure is transient (retried). Thread-safe.
 */
public final class InferenceProcessor implements SeriesProcessor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SeriesLoader loader = new SeriesLoader();
    private final SeriesAnalyzer analyzer;
    private final ResultWriter writer;
    private final OverlayRenderer renderer;
    private final String modelVersion;

    public InferenceProcessor(SeriesAnalyzer analyzer, ResultWriter writer, OverlayRenderer renderer) {
        this.analyzer = analyzer;
        this.writer = writer;
        this.renderer = renderer;
        this.modelVersion = "sha256:" + analyzer.segmenter().modelSha256().substring(0, 16);
    }

    @Override
    public Processed process(SeriesJob job, java.nio.file.Path resultsDir, Progress progress) throws ProcessingException {
        long start = System.nanoTime();
        SeriesLoadResult loaded = loader.load(job.files(), job.seriesUid());
        if (loaded instanceof SeriesLoadResult.Refused r) throw new ProcessingException(r.message(), true, null);
        if (loaded instanceof SeriesLoadResult.Unreadable u) throw new ProcessingException(u.message(), true, null);
        Volume volume = ((SeriesLoadResult.Loaded) loaded).volume();
        long loadedAt = System.nanoTime();
        SeriesAnalyzer.Analysis a;
        try {
            int total = volume.sliceCount();
            progress.slices(0, total);
            a = analyzer.analyze(volume, done -> progress.slices(done, total));
        } catch (SeriesLoadException e) {
            throw new ProcessingException(e.getMessage(), true, e);
        } catch (InferenceException e) {
            throw new ProcessingException("inference failed: " + e.getMessage(), false, e);
        }
        long written = System.nanoTime();
        List<SeriesProcessor.ResultFile> files = new ArrayList<>();
        try {
            for (ResultWriter.Written w : ResultWriter.write(writer.build(a), resultsDir)) {
                files.add(new SeriesProcessor.ResultFile(w.kind().name().toLowerCase(java.util.Locale.ROOT), w.sopClassUid(), w.sopInstanceUid(), w.file()));
            }
        } catch (java.io.IOException e) {
            throw new ProcessingException("cannot write the results: " + e.getMessage(), false, e);
        } catch (SrWriteException e) {
            throw new ProcessingException("cannot build the DICOM results: " + e.getMessage(), true, e);
        }
        List<SeriesProcessor.OverlayImage> overlays;
        try {
            overlays = overlayImages(a, resultsDir.resolve("overlays"));
        } catch (java.io.IOException e) {
            throw new ProcessingException("cannot write the overlay images: " + e.getMessage(), false, e);
        }
        long writeEnd = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kind", "inference");
        result.put("model", analyzer.segmenter().spec().source().description());
        result.put("modelVersion", modelVersion);
        result.put("provider", analyzer.segmenter().provider().kind().name());
        result.put("slices", volume.sliceCount());
        result.put("rows", volume.geometry().rows());
        result.put("columns", volume.geometry().columns());
        result.put("lesions", a.lesions());
        if (a.byLabel().size() > 1) result.put("labels", labels(a));
        result.put("stages", a.timings().withLoad(java.time.Duration.ofNanos(loadedAt - start))
                .withWrite(java.time.Duration.ofNanos(writeEnd - written)).toMillis());
        result.put("timingsMs", Map.of(
                "load", (loadedAt - start) / 1_000_000,
                "segmentation", a.segmentation().toMillis(),
                "measurement", a.measurement().toMillis(),
                "writing", (writeEnd - written) / 1_000_000));
        try {
            return new Processed(JSON.writeValueAsString(result), files, overlays);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("measurement records always serialise", e);
        }
    }

    /** A multi-label model's labels: value, name, SNOMED type and the ids of their lesions in {@code lesions}. */
    private static List<Map<String, Object>> labels(SeriesAnalyzer.Analysis a) {
        List<Map<String, Object>> labels = new ArrayList<>();
        for (SeriesAnalyzer.LabelFindings f : a.byLabel()) {
            Map<String, Object> label = new LinkedHashMap<>();
            label.put("value", f.value());
            label.put("name", f.label().name());
            label.put("type", f.label().type().scheme() + ":" + f.label().type().value() + ":" + f.label().type().meaning());
            label.put("lesionIds", f.lesions().stream().map(org.ctai.inference.measure.Lesion::id).toList());
            labels.add(label);
        }
        return labels;
    }

    /** One PNG per slice holding lesions: the slice in the overlay window with every lesion's contour. */
    private List<SeriesProcessor.OverlayImage> overlayImages(SeriesAnalyzer.Analysis a, java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        List<SeriesProcessor.OverlayImage> out = new ArrayList<>();
        org.ctai.inference.Geometry g = a.volume().geometry();
        org.ctai.inference.Vector3 normal = g.normal();
        for (int slice : a.lesionLabels().keySet()) {
            short[] hu = SeriesAnalyzer.roundedHu(a.volume().readSlice(slice));
            java.nio.file.Path file = dir.resolve(String.format("slice-%04d.png", slice));
            java.nio.file.Files.write(file, renderer.renderPng(g.rows(), g.columns(), hu, a.lesionMask(slice)));
            out.add(new SeriesProcessor.OverlayImage(slice, a.volume().slices().get(slice).sopInstanceUid(),
                    g.slicePositions().get(slice).dot(normal), g.rows(), g.columns(), file));
        }
        return out;
    }
}
