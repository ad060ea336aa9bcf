package org.ctai.scp.route;

/** What one pipeline decided about one series. */
public sealed interface Decision {
    Pipeline pipeline();

    /** Every rule of the pipeline holds: it takes the series. */
    record Taken(Pipeline pipeline) implements Decision {
        @Override
        public String toString() {
            return pipeline.name() + ": taken";
        }
    }

    /**
     * The pipeline does not take the series.
     *
     * @param rule   the first of its rules that failed
     * @param reason what the series has that fails it, in words, e.g. {@code imageType contains LOCALIZER (ORIGINAL\PRIMARY\LOCALIZER)}
     */
    record NotTaken(Pipeline pipeline, Rule rule, String reason) implements Decision {
        @Override
        public String toString() {
            return pipeline.name() + ": not taken, " + rule.key() + " (" + rule.text() + "): " + reason;
        }
    }
}
