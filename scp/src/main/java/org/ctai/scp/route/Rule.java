package org.ctai.scp.route;

import java.util.Optional;

/**
 * One line of a pipeline's selection: a condition of the routing language (see {@code docs/ROUTING.md}) and the
 * configuration key it came from. A pipeline takes a series when every one of its rules holds. Immutable and
 * thread-safe.
 */
public final class Rule {
    private final String key;
    private final String text;
    private final Condition condition;

    private Rule(String key, String text, Condition condition) {
        this.key = key;
        this.text = text;
        this.condition = condition;
    }

    /**
     * @param key  where the rule was written, e.g. {@code pipeline.liver.rule.3}, for messages
     * @param text the condition, e.g. {@code imageType not contains LOCALIZER}
     * @throws RuleSyntaxException naming the character where reading failed and what was expected there
     */
    public static Rule parse(String key, String text) throws RuleSyntaxException {
        return new Rule(key, text.trim(), RuleParser.parse(text));
    }

    public String key() {
        return key;
    }

    /** The rule as configured. */
    public String text() {
        return text;
    }

    /**
     * Empty when the rule holds for {@code facts}; otherwise what the series has that fails it, in words. A rule that
     * reads a fact the facts do not know (a query answer without it, {@link SeriesFacts#fromQuery}) holds: it cannot
     * exclude a series before its headers are read.
     */
    public Optional<String> failure(SeriesFacts facts) {
        if (!facts.knowsAll(condition.facts())) return Optional.empty();
        Condition.Verdict v = condition.evaluate(facts);
        return v.holds() ? Optional.empty() : Optional.of(v.why());
    }

    /** Why the rule holds or fails, in words, whichever way it went. */
    public String explain(SeriesFacts facts) {
        return condition.evaluate(facts).why();
    }

    @Override
    public String toString() {
        return key + " = " + text;
    }
}
