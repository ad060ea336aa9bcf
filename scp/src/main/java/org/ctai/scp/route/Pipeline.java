package org.ctai.scp.route;

import java.util.List;
import java.util.Objects;
import org.ctai.scp.config.NodeConfig;

/**
 * A named way to process series: which model, which series (every rule must hold), where its results go and how
 * it ranks beside other pipelines. Read from {@code pipeline.<name>.*} keys by {@link PipelineReader}. Immutable.
 *
 * @param name              [a-z0-9-], as in the configuration keys
 * @param model             the ONNX model file as {@code model.file} takes it; empty means the node's {@code model.file}
 * @param rules             in the order they are checked (by their number in the key); at least one
 * @param destinations      where results go; empty when the pipeline names none: then {@code send.destinations} as the node
 *                          runs with it (the demo adds its stand-in PACS there)
 * @param priority          higher first, when several pipelines take a series and the worker must order the jobs
 * @param oneSeriesPerStudy which series to keep when several of one study match, or {@link SeriesChoice#ALL}
 */
public record Pipeline(String name, String model, List<Rule> rules, List<NodeConfig.Destination> destinations, int priority,
                       SeriesChoice oneSeriesPerStudy, java.time.Duration studyWait) {
    public static final int DEFAULT_PRIORITY = 50;
    /**
     * How long a one-series-per-study job waits before comparing the study's series: a PACS forwards a study's series
     * one after the other and each completes on its own (release + grace, or the quiet period), so its siblings are
     * usually complete within seconds; a minute leaves room for a slow forward.
     */
    public static final java.time.Duration DEFAULT_STUDY_WAIT = java.time.Duration.ofSeconds(60);

    /** With the default study wait. */
    public Pipeline(String name, String model, List<Rule> rules, List<NodeConfig.Destination> destinations, int priority,
                    SeriesChoice oneSeriesPerStudy) {
        this(name, model, rules, destinations, priority, oneSeriesPerStudy, DEFAULT_STUDY_WAIT);
    }

    /** How this pipeline ranks a series it takes among its study's (lower preferred); empty when it takes every series. */
    public java.util.OptionalDouble preference(SeriesFacts facts) {
        return switch (oneSeriesPerStudy) {
            case ALL -> java.util.OptionalDouble.empty();
            case THINNEST -> java.util.OptionalDouble.of(Double.isNaN(facts.sliceThicknessMm()) ? Double.MAX_VALUE : facts.sliceThicknessMm());
            case THICKEST -> java.util.OptionalDouble.of(Double.isNaN(facts.sliceThicknessMm()) ? Double.MAX_VALUE : -facts.sliceThicknessMm());
            case MOST_SLICES -> java.util.OptionalDouble.of(-facts.slices());
        };
    }

    public Pipeline {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        rules = List.copyOf(rules);
        destinations = List.copyOf(destinations);
        Objects.requireNonNull(oneSeriesPerStudy, "oneSeriesPerStudy");
        Objects.requireNonNull(studyWait, "studyWait");
        if (rules.isEmpty()) throw new IllegalArgumentException("pipeline " + name + " has no rule: it would take every series");
    }

    /** The pipeline's preference when several series of one study pass its rules (e.g. two reconstructions of one scan). */
    public enum SeriesChoice {
        /** Every matching series is processed. */
        ALL("all"),
        /** The series with the smallest slice thickness; the others are not chosen. */
        THINNEST("thinnest"),
        /** The series with the largest slice thickness. */
        THICKEST("thickest"),
        /** The series with the most slices. */
        MOST_SLICES("most-slices");

        public final String word;

        SeriesChoice(String word) {
            this.word = word;
        }
    }
}
