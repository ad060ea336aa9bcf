package org.ctai.scp.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ctai.scp.config.NodeConfig;

/**
 * Reads the pipelines from the configuration's {@code pipelines} and {@code pipeline.<name>.*} keys, reporting every
 * problem with the pipeline, the key and, for a rule, the character position. Stateless.
 * <pre>
 * pipelines = liver
 * pipeline.liver.model =                       # empty: model.file
 * pipeline.liver.priority = 50
 * pipeline.liver.destinations =                # empty: send.destinations
 * pipeline.liver.one-series-per-study = all    # all, thinnest, thickest, most-slices
 * pipeline.liver.study-wait-seconds = 60       # one-series-per-study: how long to wait for the study's other series
 * pipeline.liver.rule.1 = modality = CT and sopClass = CTImageStorage
 * </pre>
 * Rules are checked in the order of their numbers; an empty rule is no rule (so an operator file can drop a shipped one).
 */
public final class PipelineReader {
    /** The key that lists the pipelines in use. */
    public static final String PIPELINES = "pipelines";
    /** The prefix of every pipeline's own keys. */
    public static final String PREFIX = "pipeline.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern KEY = Pattern.compile("pipeline\\.([^.]+)\\.(.+)");
    private static final Pattern RULE = Pattern.compile("rule\\.([0-9]{1,4})");
    private static final List<String> SETTINGS = List.of("model", "priority", "destinations", "one-series-per-study", "study-wait-seconds");

    private PipelineReader() {
    }

    /** Whether {@code key} belongs to the pipelines (the loader lets these through; this reader judges them). */
    public static boolean isPipelineKey(String key) {
        return key.startsWith(PREFIX);
    }

    /**
     * @param values       every configuration key with its effective value
     * @param destinations reads a destination list as {@code send.destinations} does, reporting problems under the key given
     * @param sendDefaults {@code send.destinations} (a pipeline that names none keeps an empty list and sends there)
     * @param shippedKeys  the keys of the shipped configuration: a shipped pipeline that {@code pipelines} leaves out is off,
     *                     while the keys of any other unlisted pipeline are reported (most likely a misspelt name)
     * @param problems     receives one line per problem
     */
    public static List<Pipeline> read(Map<String, String> values, BiFunction<String, String, List<NodeConfig.Destination>> destinations,
                                      List<NodeConfig.Destination> sendDefaults, Set<String> shippedKeys, Consumer<String> problems) {
        Set<String> shippedNames = new LinkedHashSet<>();
        for (String k : shippedKeys) {
            Matcher m = KEY.matcher(k);
            if (m.matches()) shippedNames.add(m.group(1));
        }
        Set<String> names = new LinkedHashSet<>();
        for (String n : values.getOrDefault(PIPELINES, "").split(",")) {
            String name = n.trim();
            if (name.isEmpty()) continue;
            if (!NAME.matcher(name).matches()) problems.accept(PIPELINES + " must name pipelines of a-z, 0-9 and - (up to 32), was " + name);
            else if (!names.add(name)) problems.accept(PIPELINES + " names " + name + " twice");
        }
        Map<String, Map<String, String>> settings = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, String[]>> rules = new LinkedHashMap<>();
        names.forEach(n -> {
            settings.put(n, new LinkedHashMap<>());
            rules.put(n, new TreeMap<>());
        });
        values.forEach((key, value) -> {
            if (!isPipelineKey(key)) return;
            Matcher m = KEY.matcher(key);
            if (!m.matches()) {
                problems.accept("unknown key " + key + " (pipeline keys are pipeline.<name>.rule.<n>, ." + String.join(", .", SETTINGS) + ")");
                return;
            }
            String name = m.group(1), setting = m.group(2);
            if (!names.contains(name)) {
                if (shippedNames.contains(name)) return; // a shipped pipeline the operator turned off
                problems.accept(key + " belongs to pipeline " + name + ", which " + PIPELINES + " (" + String.join(", ", names)
                        + ") does not list");
                return;
            }
            Matcher rule = RULE.matcher(setting);
            if (rule.matches()) {
                if (!value.isBlank()) rules.get(name).put(Integer.parseInt(rule.group(1)), new String[] {key, value});
            } else if (SETTINGS.contains(setting)) {
                settings.get(name).put(setting, value.trim());
            } else {
                problems.accept("unknown key " + key + " (a pipeline takes rule.<n>, " + String.join(", ", SETTINGS) + ")");
            }
        });
        List<Pipeline> out = new ArrayList<>();
        for (String name : names) {
            List<Rule> parsed = new ArrayList<>();
            for (String[] r : rules.get(name).values()) {
                try {
                    parsed.add(Rule.parse(r[0], r[1]));
                } catch (RuleSyntaxException e) {
                    problems.accept("pipeline " + name + ": " + r[0] + " at character " + e.position() + ": " + e.problem()
                            + "\n    " + r[1].trim() + "\n    " + " ".repeat(Math.max(0, e.position() - 1 - leading(r[1]))) + "^");
                }
            }
            if (rules.get(name).isEmpty()) {
                problems.accept("pipeline " + name + " has no rule (" + PREFIX + name + ".rule.1 = ...): it would take every series");
                continue;
            }
            Map<String, String> s = settings.get(name);
            int priority = Pipeline.DEFAULT_PRIORITY;
            String p = s.getOrDefault("priority", "");
            if (!p.isEmpty()) {
                try {
                    priority = Integer.parseInt(p);
                    if (priority < 0 || priority > 1000) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    problems.accept(PREFIX + name + ".priority must be a whole number from 0 to 1000, was " + p);
                }
            }
            String choiceWord = s.getOrDefault("one-series-per-study", "");
            Pipeline.SeriesChoice choice = choiceWord.isEmpty() ? Pipeline.SeriesChoice.ALL : Arrays.stream(Pipeline.SeriesChoice.values())
                    .filter(c -> c.word.equals(choiceWord.toLowerCase(Locale.ROOT))).findFirst().orElse(null);
            if (choice == null) {
                problems.accept(PREFIX + name + ".one-series-per-study must be all, thinnest, thickest or most-slices, was " + choiceWord);
                choice = Pipeline.SeriesChoice.ALL;
            }
            java.time.Duration studyWait = Pipeline.DEFAULT_STUDY_WAIT;
            String w = s.getOrDefault("study-wait-seconds", "");
            if (!w.isEmpty()) {
                try {
                    double seconds = Double.parseDouble(w);
                    if (!(seconds >= 0 && seconds <= 86400)) throw new NumberFormatException();
                    studyWait = java.time.Duration.ofMillis(Math.round(seconds * 1000));
                } catch (NumberFormatException e) {
                    problems.accept(PREFIX + name + ".study-wait-seconds must be a number of seconds from 0 to 86400, was " + w);
                }
            }
            String destinationKey = PREFIX + name + ".destinations";
            List<NodeConfig.Destination> own = destinations.apply(destinationKey, s.getOrDefault("destinations", ""));
            if (parsed.size() == rules.get(name).size()) {
                out.add(new Pipeline(name, s.getOrDefault("model", ""), parsed, own, priority, choice, studyWait));
            }
        }
        return out;
    }

    private static int leading(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return i;
    }
}
