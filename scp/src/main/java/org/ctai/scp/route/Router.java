package org.ctai.scp.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides, per series, which pipelines take it: every rule of a pipeline must hold, checked in order, and the first
 * that fails is the reason it does not. Pure (no I/O), immutable and thread-safe.
 */
public final class Router {
    private final List<Pipeline> pipelines;

    /** {@code pipelines} are kept highest priority first (then by name), the order {@link #route} answers in. */
    public Router(List<Pipeline> pipelines) {
        this.pipelines = pipelines.stream()
                .sorted(Comparator.comparingInt(Pipeline::priority).reversed().thenComparing(Pipeline::name)).toList();
    }

    public List<Pipeline> pipelines() {
        return pipelines;
    }

    /** One decision per pipeline, highest priority first. */
    public List<Decision> route(SeriesFacts facts) {
        List<Decision> decisions = new ArrayList<>(pipelines.size());
        for (Pipeline p : pipelines) decisions.add(decide(p, facts));
        return decisions;
    }

    /** The pipelines that take the series, highest priority first; empty when none does (the series is ignored). */
    public List<Pipeline> taking(SeriesFacts facts) {
        return route(facts).stream().filter(d -> d instanceof Decision.Taken).map(Decision::pipeline).toList();
    }

    static Decision decide(Pipeline pipeline, SeriesFacts facts) {
        for (Rule rule : pipeline.rules()) {
            Optional<String> failure = rule.failure(facts);
            if (failure.isPresent()) return new Decision.NotTaken(pipeline, rule, failure.get());
        }
        return new Decision.Taken(pipeline);
    }
}
