package org.ctai.scp.route;

import com.pixelmed.dicom.SOPClassDescriptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one rule of the routing language into a {@link Condition} (recursive descent; nothing is evaluated but
 * the fixed operators, so a configuration cannot run code). Grammar, case-insensitive keywords:
 * <pre>
 * rule       = or
 * or         = and { "or" and }
 * and        = unary { "and" unary }
 * unary      = "not" unary | "(" or ")" | comparison
 * comparison = fact ( "=" value | "!=" value | "&lt;" number | "&lt;=" number | "&gt;" number | "&gt;=" number
 *                   | ["not"] "in" "(" value { "," value } ")" | "in" number ".." number
 *                   | ["not"] "contains" value | ["not"] "like" value | "present" | "absent" )
 *            | "orientation" "axial" "within" number [ "tilt" number ]
 * value      = word | number | UID | "quoted text"
 * </pre>
 * Not thread-safe; one parser per rule.
 */
final class RuleParser {
    private static final Pattern TOKEN = Pattern.compile(
            "\\s*(?:(?<uid>[0-9]+(?:\\.[0-9]+){2,})|(?<number>-?[0-9]+(?:\\.[0-9]+)?)|(?<word>[A-Za-z_][A-Za-z0-9_^\\-]*)"
                    + "|\"(?<string>[^\"]*)\"|(?<op>\\.\\.|!=|<=|>=|[=<>(),])|(?<bad>\\S))");

    private enum Type { WORD, NUMBER, STRING, SYMBOL, END }

    private record Token(Type type, String text, int position) {
        boolean is(String word) {
            return (type == Type.WORD || type == Type.SYMBOL) && text.equalsIgnoreCase(word);
        }

        String shown() {
            return type == Type.END ? "the end of the rule" : "'" + text + "'";
        }
    }

    private final List<Token> tokens = new ArrayList<>();
    private int next;

    private RuleParser(String text) throws RuleSyntaxException {
        Matcher m = TOKEN.matcher(text);
        int at = 0;
        while (!text.substring(at).isBlank()) {
            m.region(at, text.length());
            if (!m.lookingAt()) throw new RuleSyntaxException(at + 1, "cannot read the rule from here");
            if (m.group("bad") != null) {
                throw new RuleSyntaxException(m.start("bad") + 1, m.group("bad").equals("\"")
                        ? "a quoted value is not closed" : "unexpected character '" + m.group("bad") + "'");
            }
            if (m.group("uid") != null) tokens.add(new Token(Type.WORD, m.group("uid"), m.start("uid") + 1));
            else if (m.group("number") != null) tokens.add(new Token(Type.NUMBER, m.group("number"), m.start("number") + 1));
            else if (m.group("word") != null) tokens.add(new Token(Type.WORD, m.group("word"), m.start("word") + 1));
            else if (m.group("string") != null) tokens.add(new Token(Type.STRING, m.group("string"), m.start("string")));
            else if (m.group("op") != null) tokens.add(new Token(Type.SYMBOL, m.group("op"), m.start("op") + 1));
            at = m.end();
        }
        tokens.add(new Token(Type.END, "", text.length() + 1));
    }

    static Condition parse(String text) throws RuleSyntaxException {
        RuleParser p = new RuleParser(text);
        if (p.peek().type == Type.END) throw new RuleSyntaxException(1, "the rule is empty");
        Condition c = p.or();
        if (p.peek().type != Type.END) {
            throw new RuleSyntaxException(p.peek().position, "expected 'and', 'or' or the end of the rule, found " + p.peek().shown());
        }
        return c;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        return tokens.get(next++);
    }

    private boolean accept(String word) {
        if (!peek().is(word)) return false;
        next++;
        return true;
    }

    private void expect(String word, String after) throws RuleSyntaxException {
        if (!accept(word)) throw new RuleSyntaxException(peek().position, "expected '" + word + "' " + after + ", found " + peek().shown());
    }

    private Condition or() throws RuleSyntaxException {
        List<Condition> parts = new ArrayList<>(List.of(and()));
        while (accept("or")) parts.add(and());
        return parts.size() == 1 ? parts.get(0) : new Condition.Or(parts);
    }

    private Condition and() throws RuleSyntaxException {
        List<Condition> parts = new ArrayList<>(List.of(unary()));
        while (accept("and")) parts.add(unary());
        return parts.size() == 1 ? parts.get(0) : new Condition.And(parts);
    }

    private Condition unary() throws RuleSyntaxException {
        if (accept("not")) return new Condition.Not(unary());
        if (accept("(")) {
            Condition inner = or();
            expect(")", "to close the parenthesis");
            return inner;
        }
        return comparison();
    }

    private Condition comparison() throws RuleSyntaxException {
        Token name = take();
        if (name.type != Type.WORD) {
            throw new RuleSyntaxException(name.position, "expected a fact (" + Fact.names().replace(", orientation", "") + "), found " + name.shown());
        }
        Fact fact = Fact.named(name.text).orElseThrow(() -> new RuleSyntaxException(name.position,
                "unknown fact '" + name.text + "' (known: " + Fact.names() + ")"));
        if (fact.kind == Fact.Kind.ORIENTATION) return axial();
        Token opToken = peek();
        boolean not = accept("not");
        Token word = take();
        String w = word.text.toLowerCase(Locale.ROOT);
        Condition.Op op;
        if (not) {
            op = switch (w) {
                case "in" -> Condition.Op.NOT_IN;
                case "contains" -> Condition.Op.NOT_CONTAINS;
                case "like" -> Condition.Op.NOT_LIKE;
                default -> throw new RuleSyntaxException(word.position, "expected 'in', 'contains' or 'like' after 'not', found " + word.shown());
            };
        } else if (word.type == Type.WORD || word.type == Type.SYMBOL) {
            op = switch (w) {
                case "=" -> Condition.Op.EQ;
                case "!=" -> Condition.Op.NE;
                case "<" -> Condition.Op.LT;
                case "<=" -> Condition.Op.LE;
                case ">" -> Condition.Op.GT;
                case ">=" -> Condition.Op.GE;
                case "in" -> {
                    if (peek().is("(")) yield Condition.Op.IN;
                    if (fact.kind != Fact.Kind.NUMBER) {
                        throw new RuleSyntaxException(peek().position, "expected '(' to start the list of values after 'in', found " + peek().shown());
                    }
                    yield Condition.Op.RANGE;
                }
                case "contains" -> Condition.Op.CONTAINS;
                case "like" -> Condition.Op.LIKE;
                case "present" -> Condition.Op.PRESENT;
                case "absent" -> Condition.Op.ABSENT;
                default -> null;
            };
            if (op == null) throw new RuleSyntaxException(word.position, "expected an operator after " + fact + " (" + OPERATORS + "), found " + word.shown());
        } else {
            throw new RuleSyntaxException(word.position, "expected an operator after " + fact + " (" + OPERATORS + "), found " + word.shown());
        }
        check(fact, op, opToken);
        return switch (op) {
            case PRESENT, ABSENT -> new Condition.Compare(fact, op, List.of(), 0, 0);
            case IN, NOT_IN -> new Condition.Compare(fact, op, list(fact), 0, 0);
            case RANGE -> {
                Token low = take();
                double lo = number(low, "a number or '(' after 'in'");
                Token dots = take();
                if (!dots.is("..")) throw new RuleSyntaxException(dots.position, "expected '..' in a range such as 0.5..6, found " + dots.shown());
                Token high = take();
                double hi = number(high, "a number after '..'");
                if (hi < lo) throw new RuleSyntaxException(low.position, "the range " + low.text + ".." + high.text + " is empty (low above high)");
                yield new Condition.Compare(fact, op, List.of(), lo, hi);
            }
            case LT, LE, GT, GE -> new Condition.Compare(fact, op, List.of(), number(take(), "a number after '" + op.word + "'"), 0);
            default -> new Condition.Compare(fact, op, List.of(value(fact, op == Condition.Op.LIKE || op == Condition.Op.NOT_LIKE)), 0, 0);
        };
    }

    private static final String OPERATORS = "=, !=, in, not in, contains, not contains, like, not like, <, <=, >, >=, present, absent";

    /** Which operators each kind of fact takes, so that a rule that could never mean anything stops start-up. */
    private static void check(Fact fact, Condition.Op op, Token at) throws RuleSyntaxException {
        String problem = switch (fact.kind) {
            case MULTI -> switch (op) {
                case CONTAINS, NOT_CONTAINS, PRESENT, ABSENT -> null;
                default -> fact + " holds several values per instance: use contains, not contains, present or absent";
            };
            case TEXT, SOP_CLASS -> switch (op) {
                case RANGE, LT, LE, GT, GE -> fact + " is not a number: use =, !=, in, not in, like or not like";
                case CONTAINS, NOT_CONTAINS -> fact + " holds one value: use like \"*...*\" to find a part of it, or =, in";
                case LIKE, NOT_LIKE -> fact.kind == Fact.Kind.SOP_CLASS ? "sopClass compares UIDs: use = or in" : null;
                default -> null;
            };
            case NUMBER -> switch (op) {
                case CONTAINS, NOT_CONTAINS, LIKE, NOT_LIKE -> fact + " is a number: use =, !=, in, a range such as in 0.5..6, <, <=, > or >=";
                default -> null;
            };
            case ORIENTATION -> "orientation is written orientation axial within N [tilt M]";
        };
        if (problem != null) throw new RuleSyntaxException(at.position, problem);
    }

    private List<String> list(Fact fact) throws RuleSyntaxException {
        expect("(", "to start the list");
        List<String> values = new ArrayList<>(List.of(value(fact, false)));
        while (accept(",")) values.add(value(fact, false));
        expect(")", "or ',' in the list");
        return values;
    }

    private String value(Fact fact, boolean pattern) throws RuleSyntaxException {
        Token t = take();
        if (t.type == Type.END || t.type == Type.SYMBOL) {
            throw new RuleSyntaxException(t.position, "expected a value for " + fact + ", found " + t.shown());
        }
        if (fact.kind == Fact.Kind.NUMBER) return Double.toString(number(t, "a number for " + fact));
        if (fact.kind == Fact.Kind.SOP_CLASS && !pattern) {
            if (t.text.matches("[0-9]+(\\.[0-9]+)+")) return t.text;
            String uid = SOPClassDescriptions.getUIDFromKeyword(t.text);
            if (uid == null || uid.isEmpty()) {
                throw new RuleSyntaxException(t.position, "unknown SOP class '" + t.text + "': give its UID or its DICOM keyword (e.g. CTImageStorage)");
            }
            return uid;
        }
        if (t.text.isEmpty()) throw new RuleSyntaxException(t.position, "an empty value: use absent to ask for a missing value");
        return t.text;
    }

    private static double number(Token t, String expected) throws RuleSyntaxException {
        if (t.type == Type.NUMBER) return Double.parseDouble(t.text);
        throw new RuleSyntaxException(t.position, "expected " + expected + ", found " + t.shown());
    }

    private Condition axial() throws RuleSyntaxException {
        Token kind = take();
        if (!kind.is("axial")) throw new RuleSyntaxException(kind.position, "expected 'axial' after orientation (the one orientation rules know), found " + kind.shown());
        expect("within", "after 'orientation axial'");
        Token n = take();
        double within = number(n, "degrees after 'within'");
        if (within < 0 || within > 90) throw new RuleSyntaxException(n.position, "within takes 0 to 90 degrees, was " + n.text);
        double tilt = 0;
        if (accept("tilt")) {
            Token m = take();
            tilt = number(m, "degrees after 'tilt'");
            if (tilt < 0 || tilt > 90) throw new RuleSyntaxException(m.position, "tilt takes 0 to 90 degrees, was " + m.text);
        }
        return new Condition.Axial(within, tilt);
    }
}
