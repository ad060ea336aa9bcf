package org.ctai.scp.route;

import org.ctai.scp.queue.SeriesRouting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The node's routing: the pipelines' rules over the facts of every instance of a completed series. A series that no
 * pipeline takes is ignored with, for each pipeline, the first rule that failed. Immutable and thread-safe.
 */
public final class PipelineRouting implements SeriesRouting {
    private final Router router;

    public PipelineRouting(Router router) {
        this.router = router;
    }

    @Override
    public Verdict route(List<Path> files, String callingAeTitle) {
        if (files.isEmpty()) return new Verdict.Ignored("no instance of the series is stored");
        SeriesFacts facts;
        try {
            facts = SeriesFacts.read(files, callingAeTitle);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Decision> decisions = router.route(facts);
        List<PipelineJob> jobs = new ArrayList<>();
        for (Decision d : decisions) {
            if (d instanceof Decision.Taken) jobs.add(new PipelineJob(Optional.of(d.pipeline().name()), d.pipeline().priority()));
        }
        if (!jobs.isEmpty()) return new Verdict.Jobs(jobs);
        if (decisions.isEmpty()) return new Verdict.Ignored("no pipeline is configured (pipelines is empty)");
        return new Verdict.Ignored(decisions.stream().map(PipelineRouting::why).collect(Collectors.joining("; ")));
    }

    /** {@code liver: rule.4 (imageType not contains LOCALIZER): imageType contains LOCALIZER (ORIGINAL\PRIMARY\LOCALIZER)} */
    static String why(Decision decision) {
        Decision.NotTaken n = (Decision.NotTaken) decision;
        String key = n.rule().key();
        String shortKey = key.startsWith("pipeline." + n.pipeline().name() + ".") ? key.substring(("pipeline." + n.pipeline().name() + ".").length()) : key;
        return n.pipeline().name() + ": " + shortKey + " (" + n.rule().text() + "): " + n.reason();
    }
}
