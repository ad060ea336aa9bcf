package org.ctai.scp.route;

import com.pixelmed.dicom.SOPClassDescriptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A parsed condition of the rule language. A comparison over a series holds when it holds for every instance
 * (positive operators) or for none (the negated ones: {@code !=}, {@code not in}, {@code not contains},
 * {@code not like}), so a series of mixed instances passes neither {@code modality = CT} nor {@code modality != CT}.
 * Each evaluation says why, in words, whichever way it went. Immutable.
 */
sealed interface Condition {

    /** Whether the condition holds, and why in words (what the series has). */
    record Verdict(boolean holds, String why) { }

    Verdict evaluate(SeriesFacts facts);

    /** The condition as written, normalised. */
    String text();

    /** The facts the condition reads. */
    Set<Fact> facts();

    private static Set<Fact> union(List<Condition> parts) {
        Set<Fact> all = java.util.EnumSet.noneOf(Fact.class);
        parts.forEach(p -> all.addAll(p.facts()));
        return all;
    }

    record And(List<Condition> parts) implements Condition {
        @Override
        public Verdict evaluate(SeriesFacts facts) {
            List<String> why = new ArrayList<>();
            for (Condition c : parts) {
                Verdict v = c.evaluate(facts);
                if (!v.holds()) return v; // the first that fails is the reason
                why.add(v.why());
            }
            return new Verdict(true, String.join("; ", why));
        }

        @Override
        public String text() {
            return parts.stream().map(p -> p instanceof Or ? "(" + p.text() + ")" : p.text()).collect(Collectors.joining(" and "));
        }

        @Override
        public Set<Fact> facts() {
            return union(parts);
        }
    }

    record Or(List<Condition> parts) implements Condition {
        @Override
        public Verdict evaluate(SeriesFacts facts) {
            List<String> why = new ArrayList<>();
            for (Condition c : parts) {
                Verdict v = c.evaluate(facts);
                if (v.holds()) return v;
                why.add(v.why());
            }
            return new Verdict(false, String.join(", and ", why));
        }

        @Override
        public String text() {
            return parts.stream().map(Condition::text).collect(Collectors.joining(" or "));
        }

        @Override
        public Set<Fact> facts() {
            return union(parts);
        }
    }

    record Not(Condition inner) implements Condition {
        @Override
        public Verdict evaluate(SeriesFacts facts) {
            Verdict v = inner.evaluate(facts);
            return new Verdict(!v.holds(), v.holds() ? inner.text() + " (" + v.why() + ")" : v.why());
        }

        @Override
        public String text() {
            return "not (" + inner.text() + ")";
        }

        @Override
        public Set<Fact> facts() {
            return inner.facts();
        }
    }

    enum Op {
        EQ("="), NE("!="), IN("in"), NOT_IN("not in"), CONTAINS("contains"), NOT_CONTAINS("not contains"), LIKE("like"),
        NOT_LIKE("not like"), RANGE("in"), LT("<"), LE("<="), GT(">"), GE(">="), PRESENT("present"), ABSENT("absent");

        final String word;

        Op(String word) {
            this.word = word;
        }

        /** The negated operators hold when no instance matches; the others when every one does. */
        boolean negated() {
            return this == NE || this == NOT_IN || this == NOT_CONTAINS || this == NOT_LIKE;
        }
    }

    /**
     * {@code fact op values}. Text compares case-insensitively; numbers numerically; SOP classes by UID (written as
     * a UID or a keyword such as CTImageStorage); {@code like} takes a case-insensitive pattern with * and ?.
     */
    record Compare(Fact fact, Op op, List<String> values, double low, double high) implements Condition {
        @Override
        public Set<Fact> facts() {
            return Set.of(fact);
        }

        @Override
        public Verdict evaluate(SeriesFacts facts) {
            Set<List<String>> seen = facts.values(fact);
            List<String> offending = new ArrayList<>();
            for (List<String> instance : seen) {
                boolean matches = matches(instance);
                if (op.negated() ? matches : !matches) offending.add(show(instance));
            }
            if (offending.isEmpty()) return new Verdict(true, fact + " " + describe(seen));
            return new Verdict(false, failure(offending));
        }

        private boolean matches(List<String> instance) {
            return switch (op) {
                case PRESENT -> !instance.isEmpty();
                case ABSENT -> instance.isEmpty();
                case EQ, NE, IN, NOT_IN -> !instance.isEmpty() && values.stream().anyMatch(v -> same(String.join("\\", instance), v));
                case CONTAINS, NOT_CONTAINS -> instance.stream().anyMatch(i -> i.equalsIgnoreCase(values.get(0)));
                case LIKE, NOT_LIKE -> !instance.isEmpty() && glob(values.get(0)).matcher(String.join("\\", instance)).matches();
                case RANGE, LT, LE, GT, GE -> !instance.isEmpty() && instance.stream().allMatch(this::inRange);
            };
        }

        private boolean same(String value, String wanted) {
            if (fact.kind == Fact.Kind.NUMBER) {
                Double d = number(value);
                return d != null && d == Double.parseDouble(wanted);
            }
            return value.equalsIgnoreCase(wanted);
        }

        private boolean inRange(String value) {
            Double d = number(value);
            if (d == null) return false;
            return switch (op) {
                case RANGE -> d >= low && d <= high;
                case LT -> d < low;
                case LE -> d <= low;
                case GT -> d > low;
                case GE -> d >= low;
                default -> false;
            };
        }

        private String failure(List<String> offending) {
            String is = offending.stream().limit(3).collect(Collectors.joining(", ")) + (offending.size() > 3 ? ", ..." : "");
            String absentOr = offending.stream().allMatch(o -> o.equals(ABSENT_WORD)) ? fact + " absent" : fact + " is " + is;
            return switch (op) {
                case PRESENT -> fact + " absent";
                case ABSENT -> fact + " present (" + is + ")";
                case EQ -> absentOr + ", not " + shown(values.get(0));
                case NE -> fact + " is " + is;
                case IN -> absentOr + ", not one of " + list();
                case NOT_IN -> fact + " is " + is + ", one of " + list();
                case CONTAINS -> absentOr + ", without " + values.get(0);
                case NOT_CONTAINS -> fact + " contains " + values.get(0) + " (" + is + ")";
                case LIKE -> absentOr + ", not like \"" + values.get(0) + "\"";
                case NOT_LIKE -> fact + " is " + is + ", like \"" + values.get(0) + "\"";
                case RANGE -> absentOr + ", outside " + number(low) + ".." + number(high);
                case LT, LE, GT, GE -> absentOr + ", not " + op.word + " " + number(low);
            };
        }

        private String describe(Set<List<String>> seen) {
            return "is " + seen.stream().map(this::show).limit(3).collect(Collectors.joining(", "));
        }

        private String list() {
            return "(" + values.stream().map(this::shown).collect(Collectors.joining(", ")) + ")";
        }

        private String show(List<String> instance) {
            if (instance.isEmpty()) return ABSENT_WORD;
            return shown(String.join("\\", instance));
        }

        /** A SOP class by its keyword, so that a message reads "SecondaryCaptureImageStorage", not a UID. */
        private String shown(String value) {
            if (fact.kind != Fact.Kind.SOP_CLASS) return value;
            String keyword = SOPClassDescriptions.getKeywordFromUID(value);
            return keyword == null || keyword.isEmpty() ? value : keyword;
        }

        @Override
        public String text() {
            return switch (op) {
                case PRESENT, ABSENT -> fact + " " + op.word;
                case IN, NOT_IN -> fact + " " + op.word + " " + list();
                case RANGE -> fact + " in " + number(low) + ".." + number(high);
                case LT, LE, GT, GE -> fact + " " + op.word + " " + number(low);
                case LIKE, NOT_LIKE -> fact + " " + op.word + " \"" + values.get(0) + "\"";
                default -> fact + " " + op.word + " " + shown(values.get(0));
            };
        }
    }

    /**
     * {@code orientation axial within N [tilt M]}: every instance's slice normal lies within N degrees of the patient's
     * z axis once a rotation about the left-right axis (a gantry tilt) of up to M degrees is set aside.
     */
    record Axial(double withinDegrees, double tiltDegrees) implements Condition {
        @Override
        public Set<Fact> facts() {
            return Set.of(Fact.ORIENTATION);
        }

        @Override
        public Verdict evaluate(SeriesFacts facts) {
            List<String> offending = new ArrayList<>();
            String seen = "";
            for (List<String> o : facts.values(Fact.ORIENTATION)) {
                if (o.isEmpty()) {
                    offending.add("absent");
                    continue;
                }
                double tilt = Double.parseDouble(o.get(0)), obliquity = Double.parseDouble(o.get(1));
                double residual = Math.max(0, tilt - tiltDegrees);
                double angle = Math.toDegrees(Math.acos(Math.cos(Math.toRadians(obliquity)) * Math.cos(Math.toRadians(residual))));
                String d = "tilt " + number(tilt) + ", obliquity " + number(obliquity) + " degrees";
                if (angle > withinDegrees + 1e-6) offending.add(d);
                else seen = d;
            }
            if (offending.isEmpty()) return new Verdict(true, "orientation axial (" + seen + ")");
            return new Verdict(false, "orientation not " + text().substring("orientation ".length()) + " ("
                    + offending.stream().limit(3).collect(Collectors.joining("; ")) + ")");
        }

        @Override
        public String text() {
            return "orientation axial within " + number(withinDegrees) + (tiltDegrees > 0 ? " tilt " + number(tiltDegrees) : "");
        }
    }

    String ABSENT_WORD = "absent";

    static Double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e12) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%s", Math.round(d * 100) / 100.0);
    }

    /** A case-insensitive whole-value pattern: * any run of characters, ? one character, everything else literal. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') regex.append(".*");
            else if (c == '?') regex.append('.');
            else regex.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }
}
