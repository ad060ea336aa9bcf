package org.ctai.scp.process;

import org.ctai.scp.queue.SeriesProcessor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs each job with the processor of its pipeline; a job without a pipeline (queued before routing existed) goes to
 * the first pipeline's. Thread-safe; closes every pipeline's model.
 */
public final class PipelineProcessor implements SeriesProcessor, AutoCloseable {
    private final Map<String, ModelPipeline> pipelines;
    private final Map<String, InferenceProcessor> processors = new LinkedHashMap<>();

    /** @param pipelines by pipeline name, at least one; this processor owns and closes them */
    public PipelineProcessor(Map<String, ModelPipeline> pipelines) {
        if (pipelines.isEmpty()) throw new IllegalArgumentException("no pipeline");
        this.pipelines = new LinkedHashMap<>(pipelines);
        pipelines.forEach((name, p) -> processors.put(name, p.processor()));
    }

    @Override
    public Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException, OutsideDomainException {
        String name = job.pipeline().orElse(processors.keySet().iterator().next());
        InferenceProcessor processor = processors.get(name);
        if (processor == null) {
            throw new ProcessingException("pipeline " + name + " is not configured on this node (pipelines = "
                    + String.join(", ", processors.keySet()) + ")", false, null);
        }
        return processor.process(job, resultsDir, progress);
    }

    public List<ModelPipeline> pipelines() {
        return List.copyOf(pipelines.values());
    }

    @Override
    public void close() {
        pipelines.values().forEach(ModelPipeline::close);
    }
}
