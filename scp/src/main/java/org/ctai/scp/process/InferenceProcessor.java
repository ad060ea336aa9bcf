package org.ctai.scp.process;

import org.ctai.scp.queue.SeriesProcessor;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.ctai.inference.DomainCheck;
import org.ctai.inference.InferenceException;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.StageTimings;
import org.ctai.inference.series.SeriesLoadException;
import org.ctai.inference.series.SeriesLoadResult;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
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
    public Processed process(SeriesJob job, java.nio.file.Path resultsDir, Progress progress) throws ProcessingException, OutsideDomainException {
        long start = System.nanoTime();
        SeriesLoadResult loaded = loader.load(job.files(), job.seriesUid());
        if (loaded instanceof SeriesLoadResult.Refused r) throw new ProcessingException(r.message(), true, null);
        if (loaded instanceof SeriesLoadResult.Unreadable u) throw new ProcessingException(u.message(), true, null);
        Volume volume = ((SeriesLoadResult.Loaded) loaded).volume();
        // the safety net under the routing rules: nothing computed outside what the model was made for is written
        java.util.Optional<String> outside = analyzer.segmenter().spec().contract().domain().flatMap(d -> DomainCheck.outside(d, volume));
        if (outside.isPresent()) throw new OutsideDomainException(outside.get());
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
        StageTimings stages = a.timings().withLoad(java.time.Duration.ofNanos(loadedAt - start))
                .withWrite(java.time.Duration.ofNanos(writeEnd - written));
        InferenceResult.Timings timings = new InferenceResult.Timings((loadedAt - start) / 1_000_000, a.segmentation().toMillis(),
                a.measurement().toMillis(), (writeEnd - written) / 1_000_000);
        String model = analyzer.segmenter().spec().source().description();
        String provider = analyzer.segmenter().provider().kind().name();
        InferenceResult result = new InferenceResult("inference", model, modelVersion, provider, volume.sliceCount(),
                volume.geometry().rows(), volume.geometry().columns(), a.lesions(), a.byLabel().size() > 1 ? labels(a) : List.of(),
                new java.util.LinkedHashMap<>(stages.toMillis()), timings);
        SeriesProcessor.Findings findings = new SeriesProcessor.Findings(model, modelVersion, provider,
                java.time.Duration.ofNanos(loadedAt - start).plus(a.segmentation()).plus(a.measurement()), a.lesions(), a.body());
        try {
            return new Processed(JSON.writeValueAsString(result), files, overlays, java.util.Optional.of(findings));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("measurement records always serialise", e);
        }
    }

    /** A multi-label model's labels: value, name, SNOMED type and the ids of their lesions in {@code lesions}. */
    private static List<InferenceResult.Label> labels(SeriesAnalyzer.Analysis a) {
        List<InferenceResult.Label> labels = new ArrayList<>();
        for (SeriesAnalyzer.LabelFindings f : a.byLabel()) {
            labels.add(new InferenceResult.Label(f.value(), f.label().name(),
                    f.label().type().scheme() + ":" + f.label().type().value() + ":" + f.label().type().meaning(),
                    f.lesions().stream().map(org.ctai.inference.measure.Lesion::id).toList()));
        }
        return labels;
    }

    /** One PNG per slice holding lesions: the slice in the overlay window with every lesion's contour. */
    private List<SeriesProcessor.OverlayImage> overlayImages(SeriesAnalyzer.Analysis a, java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        List<SeriesProcessor.OverlayImage> out = new ArrayList<>();
        org.ctai.inference.series.Geometry g = a.volume().geometry();
        org.ctai.inference.series.Vector3 normal = g.normal();
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
