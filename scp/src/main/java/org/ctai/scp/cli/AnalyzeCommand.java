package org.ctai.scp.cli;

import org.ctai.inference.DomainCheck;
import org.ctai.scp.process.ModelPipeline;

import org.ctai.scp.Node;
import org.ctai.scp.config.NodeConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import com.pixelmed.dicom.DicomFileUtilities;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.series.SeriesLoadResult;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.overlay.OverlayRenderer;
import org.ctai.srwriter.ModelInfo;
import org.ctai.srwriter.ResultWriter;
import java.time.Clock;

/**
 * {@code ./ctai analyze PATH... [--out DIR] [--json]}: load, segment and measure offline, every series
 * found under the paths; a table (or JSON) of lesions in physical units, and with {@code --out}, per series,
 * the DICOM SEG, TID 1500 SR and overlay images, an analysis JSON and one overlay PNG per lesion (its largest slice).
 */
final class AnalyzeCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final NodeConfig.Inference config;
    private final PrintStream out;
    private final PrintStream err;

    /** Results go to {@code out} (with {@code --json} nothing else does), warnings and progress to {@code err}. */
    AnalyzeCommand(NodeConfig.Inference config, PrintStream out, PrintStream err) {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    /**
     * Files named on the command line are analysed as given; inside folders, files that are not DICOM (the PNG
     * masks and truth.json that {@code ./ctai phantom} writes beside its series) are skipped with one warning.
     *
     * @return 0 when every series was analysed, 1 when any was refused or unreadable
     */
    int run(List<Path> paths, Path outDir, boolean json) throws IOException {
        List<SeriesLoadResult> results = new SeriesLoader().loadAll(dicomFiles(paths));
        List<Map<String, Object>> reports = new ArrayList<>();
        int failures = 0;
        try (ModelPipeline pipeline = ModelPipeline.open(config)) {
            Segmenter segmenter = pipeline.segmenter();
            SeriesAnalyzer analyzer = pipeline.analyzer();
            ResultWriter writer = pipeline.writer();
            for (SeriesLoadResult r : results) {
                Map<String, Object> report = new LinkedHashMap<>();
                if (r instanceof SeriesLoadResult.Loaded loaded) {
                    // the node would skip such a series; analyze runs it anyway, for the operator to see, and says so
                    segmenter.spec().contract().domain().flatMap(d -> DomainCheck.outside(d, loaded.volume())).ifPresent(why -> {
                        err.println("analyze: series " + loaded.volume().seriesInstanceUid() + " is " + why
                                + "; the node would skip it and send nothing");
                        report.put("outsideDomain", why);
                    });
                    SeriesAnalyzer.Analysis a = analyzer.analyze(loaded.volume());
                    report.put("series", loaded.volume().seriesInstanceUid());
                    report.put("slices", loaded.volume().sliceCount());
                    report.put("lesions", a.lesions());
                    if (!json) table(a, segmenter);
                    if (outDir != null) write(outDir, a, report, writer);
                } else if (r instanceof SeriesLoadResult.Refused refused) {
                    failures++;
                    report.put("series", refused.seriesInstanceUid());
                    report.put("refused", refused.message());
                    if (!json) out.printf("series %s refused: %s%n%n", refused.seriesInstanceUid(), refused.message());
                } else if (r instanceof SeriesLoadResult.Unreadable u) {
                    failures++;
                    report.put("file", u.file().toString());
                    report.put("unreadable", u.message());
                    if (!json) out.printf("%s unreadable: %s%n%n", u.file(), u.message());
                }
                reports.add(report);
            }
        }
        if (json) out.println(JSON.writeValueAsString(reports));
        return failures == 0 ? 0 : 1;
    }

    private void table(SeriesAnalyzer.Analysis a, Segmenter segmenter) {
        Geometry g = a.volume().geometry();
        out.printf(Locale.ROOT, "series %s: %d slices %dx%d, pixels %.3f x %.3f mm, slices %.2f mm apart; model %s on %s%n",
                a.volume().seriesInstanceUid(), a.volume().sliceCount(), g.rows(), g.columns(), g.rowSpacingMm(), g.columnSpacingMm(),
                g.sliceSpacingMm(), segmenter.spec().source().description(), segmenter.provider().kind());
        if (a.lesions().isEmpty()) {
            out.println("no lesion detected");
            out.println();
            return;
        }
        out.printf(Locale.ROOT, "%3s %10s %12s %22s %12s %14s %18s %9s%n", "#", "volume mL", "volume mm3", "largest area mm2 (slice)",
                "diameter mm", "short axis mm", "HU mean ± sd", "slices");
        for (Lesion l : a.lesions()) {
            out.printf(Locale.ROOT, "%3d %10.2f %12.1f %15.1f (%4d) %12.1f %14.1f %10.1f ± %5.1f %4d-%-4d%n", l.id(), l.volumeMl(),
                    l.volumeMm3(), l.largestAreaMm2(), l.largestAreaSlice(), l.longestDiameterMm(), l.shortAxisMm(), l.hu().meanHu(),
                    l.hu().standardDeviationHu(),
                    l.firstSlice(), l.lastSlice());
        }
        out.println();
    }

    private void write(Path outDir, SeriesAnalyzer.Analysis a, Map<String, Object> report, ResultWriter writer) throws IOException {
        Path dir = outDir.resolve(a.volume().seriesInstanceUid());
        Files.createDirectories(dir);
        List<String> dicom = new ArrayList<>();
        for (ResultWriter.Written w : ResultWriter.write(writer.build(a), dir)) dicom.add(w.file().getFileName().toString());
        report.put("dicom", dicom);
        OverlayRenderer renderer = new OverlayRenderer(config.overlayWindow());
        Geometry g = a.volume().geometry();
        for (Lesion l : a.lesions()) {
            int slice = l.largestAreaSlice();
            short[] hu = SeriesAnalyzer.roundedHu(a.volume().readSlice(slice));
            Files.write(dir.resolve("lesion-" + l.id() + "-slice-" + slice + ".png"), renderer.renderPng(g.rows(), g.columns(), hu, a.lesionMask(slice)));
        }
        Files.writeString(dir.resolve("analysis.json"), JSON.writeValueAsString(report));
        err.printf("wrote %s%n", dir);
    }

    private List<Path> dicomFiles(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.isDirectory(path)) {
                files.add(path);
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    if (DicomFileUtilities.isDicomOrAcrNemaFile(f.toFile())) files.add(f);
                    else skipped.add(f);
                }
            }
        }
        if (!skipped.isEmpty()) {
            err.printf("analyze: skipped %d file%s that %s not DICOM (e.g. %s)%n", skipped.size(), skipped.size() == 1 ? "" : "s",
                    skipped.size() == 1 ? "is" : "are", skipped.get(0));
        }
        return files;
    }
}
