package org.ctai.scp;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ctai.inference.InferenceException;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.SeriesLoadException;
import org.ctai.inference.SeriesLoadResult;
import org.ctai.inference.SeriesLoader;
import org.ctai.inference.Volume;

/**
 * The node's processing step: load the series from the spool, segment it, measure every lesion. A series
 * the loader refuses (not CT, mixed sizes, undecodable transfer syntax, ...) fails permanently with the
 * loader's reason; a model failure is transient (retried). Thread-safe.
 */
final class InferenceProcessor implements SeriesProcessor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SeriesLoader loader = new SeriesLoader();
    private final SeriesAnalyzer analyzer;

    InferenceProcessor(SeriesAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    @Override
    public Processed process(SeriesJob job, java.nio.file.Path resultsDir) throws ProcessingException {
        long start = System.nanoTime();
        SeriesLoadResult loaded = loader.load(job.files(), job.seriesUid());
        if (loaded instanceof SeriesLoadResult.Refused r) throw new ProcessingException(r.message(), true, null);
        if (loaded instanceof SeriesLoadResult.Unreadable u) throw new ProcessingException(u.message(), true, null);
        Volume volume = ((SeriesLoadResult.Loaded) loaded).volume();
        long loadedAt = System.nanoTime();
        SeriesAnalyzer.Analysis a;
        try {
            a = analyzer.analyze(volume);
        } catch (SeriesLoadException e) {
            throw new ProcessingException(e.getMessage(), true, e);
        } catch (InferenceException e) {
            throw new ProcessingException("inference failed: " + e.getMessage(), false, e);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kind", "inference");
        result.put("model", analyzer.segmenter().spec().source().description());
        result.put("provider", analyzer.segmenter().provider().kind().name());
        result.put("slices", volume.sliceCount());
        result.put("rows", volume.geometry().rows());
        result.put("columns", volume.geometry().columns());
        result.put("lesions", a.lesions());
        result.put("timingsMs", Map.of(
                "load", (loadedAt - start) / 1_000_000,
                "segmentation", a.segmentation().toMillis(),
                "measurement", a.measurement().toMillis()));
        try {
            return new Processed(JSON.writeValueAsString(result), java.util.List.of());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("measurement records always serialise", e);
        }
    }
}
