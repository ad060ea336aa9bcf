package org.ctai.scp.route;

/** A rule that cannot be read: what is wrong and at which character (1 = the first of the rule's text). */
public final class RuleSyntaxException extends Exception {
    private final int position;
    private final String problem;

    RuleSyntaxException(int position, String problem) {
        super("at character " + position + ": " + problem);
        this.position = position;
        this.problem = problem;
    }

    /** 1-based character position in the rule's text. */
    public int position() {
        return position;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return problem;
    }
}
