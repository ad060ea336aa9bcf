package org.ctai.srwriter;

import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SeriesLoadResult;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test inputs for the writers, made with the real parts: phantom series written to disk, loaded with
 * {@link SeriesLoader}, analysed with the bundled model; or real CT files with hand-made lesion masks,
 * measured by the real {@link LesionMeasurer}.
 */
final class AnalysedSeries {

    private AnalysedSeries() {
    }

    /** The only series in {@code folder}. */
    static Volume load(Path folder) {
        List<SeriesLoadResult> results = new SeriesLoader().loadAll(List.of(folder));
        if (results.size() != 1) throw new IllegalStateException(results.size() + " series in " + folder);
        return results.get(0).volumeOrThrow();
    }

    /** Writes the phantom of {@code spec} under {@code folder} and loads it. */
    static Volume phantom(PhantomSpec spec, Path folder) throws IOException {
        PhantomGenerator.write(PhantomGenerator.generate(spec), folder);
        return load(folder.resolve("dicom"));
    }

    /** Segments and measures {@code volume} with {@code segmenter}, as the node does. */
    static Analysis analyse(Segmenter segmenter, Volume volume) {
        return new SeriesAnalyzer(segmenter, new LesionMeasurer()).analyze(volume);
    }

    static Segmenter openDefaultModel() {
        return Segmenter.open(ModelConfig.defaults());
    }

    /**
     * An analysis of {@code volume} whose segmentation is {@code masks} (one 0/1 mask per slice) instead of a
     * model's, measured like {@link SeriesAnalyzer#analyze}: for real CT where the phantom-trained model finds
     * nothing.
     */
    static Analysis withMasks(Volume volume, List<byte[]> masks) {
        return SeriesAnalyzer.measure(new LesionMeasurer(), volume, new ArrayList<>(masks));
    }

    /** A filled disk of {@code radius} pixels around (row, column) on a {@code rows x columns} mask. */
    static byte[] disk(int rows, int columns, int row, int column, int radius) {
        byte[] mask = new byte[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if ((r - row) * (r - row) + (c - column) * (c - column) <= radius * radius) mask[r * columns + c] = 1;
            }
        }
        return mask;
    }
}
