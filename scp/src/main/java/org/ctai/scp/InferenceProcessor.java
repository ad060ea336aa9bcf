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
final class InferenceProcessor implements SeriesProcessor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SeriesLoader loader = new SeriesLoader();
    private final SeriesAnalyzer analyzer;
    private final ResultWriter writer;

    InferenceProcessor(SeriesAnalyzer analyzer, ResultWriter writer) {
        this.analyzer = analyzer;
        this.writer = writer;
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
        long writeEnd = System.nanoTime();
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
                "measurement", a.measurement().toMillis(),
                "writing", (writeEnd - written) / 1_000_000));
        try {
            return new Processed(JSON.writeValueAsString(result), files);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("measurement records always serialise", e);
        }
    }
}
