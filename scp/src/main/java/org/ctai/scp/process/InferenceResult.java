package org.ctai.scp.process;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.ctai.inference.measure.Lesion;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A segmentation job's result as it is stored with the job (JSON, by Jackson, component names as keys) and shown on the
 * study page. What SQL needs of it (model, version, provider, processing time, lesion rows) is written to columns from
 * {@link org.ctai.scp.queue.SeriesProcessor.Findings}, never read back out of this JSON. Immutable.
 *
 * @param kind      always {@code inference}
 * @param model     the model's file or bundled resource
 * @param labels    a multi-label model's labels; left out of the JSON for a one-label model
 * @param stages    milliseconds per processing stage (load, preprocess, inference, postprocess, write)
 * @param timingsMs milliseconds of the coarser steps, kept for results written before the stages existed
 *
 * <p>The body profile is not here: it is a typed column ({@code scp.job.body_profile}, from {@code Findings.body}).
 */
record InferenceResult(String kind, String model, String modelVersion, String provider, int slices, int rows, int columns,
                       List<Lesion> lesions, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Label> labels,
                       Map<String, Long> stages, Timings timingsMs) {

    InferenceResult {
        Objects.requireNonNull(model, "model");
        lesions = List.copyOf(lesions);
        labels = List.copyOf(labels);
        stages = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages));
    }

    /** One label of a multi-label model: its mask value, name, SNOMED type and the ids of its lesions. */
    record Label(int value, String name, String type, List<Integer> lesionIds) {
    }

    record Timings(long load, long segmentation, long measurement, long writing) {
    }

}
