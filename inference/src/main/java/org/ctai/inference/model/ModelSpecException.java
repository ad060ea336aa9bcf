package org.ctai.inference.model;

import org.ctai.inference.InferenceException;
import java.util.List;

/**
 * The model specification is invalid, or the model file does not fit it. Lists every problem found,
 * each naming the configuration key as the operator writes it (for example {@code model.input-size})
 * or the model's tensor, and the values that disagree.
 */
public final class ModelSpecException extends InferenceException {

    private final List<String> problems;

    public ModelSpecException(String subject, List<String> problems) {
        super(subject + ": " + (problems.size() == 1 ? problems.get(0) : "\n - " + String.join("\n - ", problems)));
        if (problems.isEmpty()) throw new IllegalArgumentException("no problems given");
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, in the order found. */
    public List<String> problems() {
        return problems;
    }
}
