package org.ctai.viewer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every state a job can be in, and what each means to the queue, the history, the metrics and the page. This is the
 * one owner of the job states: the database's {@code scp.job_state} table is filled from it at every start (and
 * {@code scp.job.state} references it), the worklist's filter, labels, reasons and retry button come from it through
 * {@code /api/job-states}, and {@code /metrics} counts each. Adding an outcome is adding a constant here.
 *
 * <p>The database keeps {@link #word()}; the page shows {@link #english()} or {@link #chinese()}.
 */
public enum JobState {
    QUEUED("queued", "queued", "排队中", Flags.NONE),
    RUNNING("running", "running", "处理中", Flags.NONE),
    DONE("done", "done", "完成", Flags.TERMINAL),
    /** The input can never work (the loader refused it); permanent. */
    FAILED("failed", "failed", "失败", Flags.TERMINAL_RETRYABLE),
    /** Transient failures until worker.max-attempts ran out. */
    DEAD("dead", "dead", "已放弃", Flags.TERMINAL_RETRYABLE),
    /** No pipeline takes the series; its files are deleted soon, nothing is sent. */
    IGNORED("ignored", "ignored", "已忽略", Flags.TERMINAL),
    /** A pipeline took it, but the loaded series lies outside the model's declared domain: nothing is written or sent. */
    SKIPPED("skipped", "skipped", "已跳过", Flags.TERMINAL),
    /** The pipeline processes one series per study and preferred another series of the study. */
    NOT_CHOSEN("not-chosen", "not chosen", "未选用", Flags.TERMINAL);

    private enum Flags { NONE, TERMINAL, TERMINAL_RETRYABLE }

    private final String word;
    private final String english;
    private final String chinese;
    private final Flags flags;

    JobState(String word, String english, String chinese, Flags flags) {
        this.word = word;
        this.english = english;
        this.chinese = chinese;
        this.flags = flags;
    }

    /** As the database and the API write it. */
    public String word() {
        return word;
    }

    public String english() {
        return english;
    }

    public String chinese() {
        return chinese;
    }

    /** Nothing more happens to the job by itself. */
    public boolean terminal() {
        return flags != Flags.NONE;
    }

    /** An administrator may queue it again (the page's retry button, Requeue). */
    public boolean retryable() {
        return flags == Flags.TERMINAL_RETRYABLE;
    }

    /** Its job row's {@code last_error} says why the job ended here, and the worklist shows it. */
    public boolean hasReason() {
        return this == FAILED || this == DEAD || this == IGNORED || this == SKIPPED || this == NOT_CHOSEN;
    }

    /** Reached without a result: nothing is sent and the series' files may be deleted soon. */
    public boolean withoutResult() {
        return this == IGNORED || this == SKIPPED || this == NOT_CHOSEN;
    }

    public static Optional<JobState> of(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word)).findFirst();
    }

    /** The words of the states for which {@code test} holds, for SQL {@code IN (...)} lists and the API. */
    public static List<String> words(java.util.function.Predicate<JobState> test) {
        return Arrays.stream(values()).filter(test).map(JobState::word).toList();
    }

    @Override
    public String toString() {
        return word.toLowerCase(Locale.ROOT);
    }
}
