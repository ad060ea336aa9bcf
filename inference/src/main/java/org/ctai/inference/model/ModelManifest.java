package org.ctai.inference.model;

import org.ctai.inference.InferenceException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.ctai.inference.model.ModelContract.Code;
import org.ctai.inference.model.ModelContract.HuRange;
import org.ctai.inference.model.ModelContract.InputLayout;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.model.ModelContract.Spacing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model's own description of its contract, a JSON file next to the ONNX file: {@code liver.onnx} has
 * {@code liver.manifest.json}. It says what one input holds (a slice, a stack of slices or a 3-D patch), the
 * spacing the model was trained at, the intensity normalisation, the output and the labels with their codes.
 * Without a manifest the node behaves as before: 2-D slices, contract from the configuration and the ONNX
 * metadata. It describes the model's {@link ModelContract}; the configuration's {@code model.*} keys override
 * any part of it.
 *
 * <pre>
 * {
 *   "manifest-version": 1,
 *   "input": {
 *     "layout": "patch-3d",               slice-2d | stack-2.5d | patch-3d
 *     "stack-slices": 5,                  stack-2.5d only: odd number of adjacent slices fed as channels
 *     "patch-size": [32, 96, 96],         patch-3d only: slices, rows, columns
 *     "overlap": 0.5,                     patch-3d only: share of a patch its neighbour repeats, 0 <= x < 1; default 0.5
 *     "spacing-mm": [2.0, 1.5, 1.5]       optional, patch-3d only: slice, row, column spacing to resample to
 *   },
 *   "normalization": { "method": "window", "center": 40, "width": 400 }
 *                  | { "method": "z-score", "mean": 60, "std": 45, "clip-hu": [-100, 240] }   (clip-hu optional)
 *                  | { "method": "percentile", "low": 0.5, "high": 99.5 },
 *   "output": { "kind": "sigmoid", "threshold": 0.5 },   sigmoid (one probability channel per label) |
 *                                                         logits (the same before the sigmoid) |
 *                                                         softmax (channel 0 background, channel k label k); threshold default 0.5
 *   "labels": [ { "name": "Liver tumour",
 *                 "category": "SCT:49755003:Morphologically abnormal structure",   default as shown
 *                 "type": "SCT:108369006:Neoplasm",
 *                 "finding-site": "SCT:10200004:Liver" } ]                        optional
 * }
 * </pre>
 * Unknown keys are refused, so a misspelt key cannot silently lose its value. Stateless.
 */
final class ModelManifest {

    static final int VERSION = 1;
    /** Neighbouring patches share half their extent by default, as nnU-Net does. */
    static final double DEFAULT_OVERLAP = 0.5;
    static final String SUFFIX = ".manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelManifest() {
    }

    /** Where the manifest of an ONNX file lies: the same name with {@code .onnx} replaced by {@code .manifest.json}. */
    static Path pathFor(Path onnxFile) {
        String name = onnxFile.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return onnxFile.resolveSibling(base + SUFFIX);
    }

    /**
     * Parses and checks a manifest; every problem is reported at once, each naming the key as written in the
     * file ({@code input.patch-size}, {@code labels[1].type}) and the bad value.
     *
     * @param origin the file, for the message
     * @throws ModelSpecException listing each problem
     */
    static ModelContract parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelSpecException("model manifest " + origin, List.of("not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        }
        Reader r = new Reader();
        if (!(root instanceof ObjectNode)) {
            throw new ModelSpecException("model manifest " + origin, List.of("the manifest must be a JSON object"));
        }
        r.only(root, "", Set.of("manifest-version", "input", "normalization", "output", "labels", "domain"));
        JsonNode version = root.get("manifest-version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            r.problem("manifest-version must be " + VERSION + ", was " + (version == null ? "missing" : version.toString()));
        }
        InputLayout layout = null;
        Optional<Spacing> spacing = Optional.empty();
        JsonNode input = r.object(root, "input");
        if (input != null) {
            r.only(input, "input.", Set.of("layout", "stack-slices", "patch-size", "overlap", "spacing-mm"));
            String kind = r.text(input, "input.layout");
            if (kind != null) {
                switch (kind) {
                    case "slice-2d" -> layout = new InputLayout.Slice2d();
                    case "stack-2.5d" -> {
                        Integer n = r.integer(input, "input.stack-slices");
                        if (n != null) layout = r.make("input.stack-slices", n, () -> new InputLayout.Stack25d(n));
                    }
                    case "patch-3d" -> {
                        double[] size = r.triple(input, "input.patch-size", true);
                        double overlap = input.has("overlap") ? r.number(input, "input.overlap", DEFAULT_OVERLAP) : DEFAULT_OVERLAP;
                        if (size != null && isWhole(size)) {
                            layout = r.make("input.overlap", overlap, () -> new InputLayout.Patch3d((int) size[0], (int) size[1], (int) size[2], overlap));
                        } else if (size != null) {
                            r.problem("input.patch-size must be three whole numbers (slices, rows, columns), was " + input.get("patch-size"));
                        }
                    }
                    default -> r.problem("input.layout must be slice-2d, stack-2.5d or patch-3d, was '" + kind + "'");
                }
                boolean known = List.of("slice-2d", "stack-2.5d", "patch-3d").contains(kind);
                if (known && !kind.equals("stack-2.5d") && input.has("stack-slices")) r.problem("input.stack-slices applies to stack-2.5d only, not to " + kind);
                if (known && !kind.equals("patch-3d")) {
                    for (String key : List.of("patch-size", "overlap", "spacing-mm")) {
                        if (input.has(key)) r.problem("input." + key + " applies to patch-3d only, not to " + kind);
                    }
                }
            }
            if (input.has("spacing-mm") && "patch-3d".equals(kind)) {
                double[] s = r.triple(input, "input.spacing-mm", false);
                if (s != null) spacing = Optional.ofNullable(r.make("input.spacing-mm", input.get("spacing-mm"), () -> new Spacing(s[0], s[1], s[2])));
            }
        }
        Normalization normalization = normalization(r, r.object(root, "normalization"));
        OutputKind output = null;
        double threshold = ModelSpec.DEFAULT_THRESHOLD;
        JsonNode out = r.object(root, "output");
        if (out != null) {
            r.only(out, "output.", Set.of("kind", "threshold"));
            String kind = r.text(out, "output.kind");
            if (kind != null) {
                switch (kind) {
                    case "sigmoid" -> output = OutputKind.SIGMOID;
                    case "logits" -> output = OutputKind.LOGITS;
                    case "softmax" -> output = OutputKind.SOFTMAX;
                    default -> r.problem("output.kind must be sigmoid, logits or softmax, was '" + kind + "'");
                }
            }
            if (out.has("threshold")) {
                threshold = r.number(out, "output.threshold", ModelSpec.DEFAULT_THRESHOLD);
                if (!(threshold > 0 && threshold < 1)) r.problem("output.threshold must be between 0 and 1 (exclusive), was " + threshold);
            }
        }
        List<SegmentLabel> labels = labels(r, root.get("labels"));
        if (output != null && output != OutputKind.SOFTMAX && labels.size() > 1 && !(layout instanceof InputLayout.Patch3d)) {
            r.problem("labels: output.kind " + output.key() + " with " + labels.size()
                    + " labels needs input.layout patch-3d; 2-D models give one sigmoid label or use softmax");
        }
        Optional<ModelContract.Domain> domain = root.has("domain") ? domain(r, r.object(root, "domain")) : Optional.empty();
        if (!r.problems.isEmpty()) throw new ModelSpecException("model manifest " + origin, r.problems);
        ModelContract.Builder contract = ModelContract.builder().layout(layout).normalization(normalization).output(output)
                .threshold(threshold).labels(labels);
        spacing.ifPresent(contract::spacing);
        domain.ifPresent(contract::domain);
        return contract.build();
    }

    private static Normalization normalization(Reader r, JsonNode n) {
        if (n == null) return null;
        String method = r.text(n, "normalization.method");
        if (method == null) return null;
        switch (method) {
            case "window" -> {
                r.only(n, "normalization.", Set.of("method", "center", "width"));
                Double center = r.required(n, "normalization.center");
                Double width = r.required(n, "normalization.width");
                if (center == null || width == null) return null;
                return r.make("normalization.width", width, () -> new Normalization.HuWindow(center, width));
            }
            case "z-score" -> {
                r.only(n, "normalization.", Set.of("method", "mean", "std", "clip-hu"));
                Double mean = r.required(n, "normalization.mean");
                Double std = r.required(n, "normalization.std");
                Optional<HuRange> clip = Optional.empty();
                if (n.has("clip-hu")) {
                    double[] c = r.pair(n, "normalization.clip-hu");
                    if (c == null) return null;
                    HuRange range = r.make("normalization.clip-hu", n.get("clip-hu"), () -> new HuRange(c[0], c[1]));
                    if (range == null) return null;
                    clip = Optional.of(range);
                }
                if (mean == null || std == null) return null;
                Optional<HuRange> finalClip = clip;
                return r.make("normalization.std", std, () -> new Normalization.ZScore(mean, std, finalClip));
            }
            case "percentile" -> {
                r.only(n, "normalization.", Set.of("method", "low", "high"));
                Double low = r.required(n, "normalization.low");
                Double high = r.required(n, "normalization.high");
                if (low == null || high == null) return null;
                return r.make("normalization.low and normalization.high", low + ", " + high, () -> new Normalization.PercentileClip(low, high));
            }
            default -> {
                r.problem("normalization.method must be window, z-score or percentile, was '" + method + "'");
                return null;
            }
        }
    }

    private static Optional<ModelContract.Domain> domain(Reader r, JsonNode n) {
        if (n == null) return Optional.empty();
        r.only(n, "domain.", Set.of("modality", "body-parts", "regions", "axial-within-deg", "max-tilt-deg", "slice-thickness-mm",
                "pixel-spacing-mm", "min-slices"));
        List<String> modalities = r.strings(n, "domain.modality");
        List<String> bodyParts = r.strings(n, "domain.body-parts");
        List<Code> regions = new ArrayList<>();
        for (String text : r.strings(n, "domain.regions")) {
            try {
                regions.add(Code.parse(text));
            } catch (IllegalArgumentException e) {
                r.problem("domain.regions: " + e.getMessage());
            }
        }
        double axial = n.has("axial-within-deg") ? r.number(n, "domain.axial-within-deg", 90) : 90;
        double tilt = n.has("max-tilt-deg") ? r.number(n, "domain.max-tilt-deg", 90) : 90;
        Optional<ModelContract.MmRange> thickness = range(r, n, "domain.slice-thickness-mm");
        Optional<ModelContract.MmRange> pixels = range(r, n, "domain.pixel-spacing-mm");
        Integer min = n.has("min-slices") ? r.integer(n, "domain.min-slices") : Integer.valueOf(1);
        if (min == null) return Optional.empty();
        return Optional.ofNullable(r.make("domain", n, () -> new ModelContract.Domain(modalities, bodyParts, regions, axial, tilt, thickness, pixels, min)));
    }

    private static Optional<ModelContract.MmRange> range(Reader r, JsonNode n, String path) {
        if (!n.has(path.substring(path.lastIndexOf('.') + 1))) return Optional.empty();
        double[] v = r.pair(n, path);
        if (v == null) return Optional.empty();
        return Optional.ofNullable(r.make(path, n.get(path.substring(path.lastIndexOf('.') + 1)), () -> new ModelContract.MmRange(v[0], v[1])));
    }

    private static List<SegmentLabel> labels(Reader r, JsonNode n) {
        List<SegmentLabel> labels = new ArrayList<>();
        if (n == null) {
            r.problem("labels is missing: list one label per output class, such as [{\"type\": \"SCT:108369006:Neoplasm\"}]");
            return labels;
        }
        if (!n.isArray() || n.isEmpty()) {
            r.problem("labels must be a non-empty list, was " + n);
            return labels;
        }
        for (int i = 0; i < n.size(); i++) {
            String at = "labels[" + i + "]";
            JsonNode item = n.get(i);
            if (!item.isObject()) {
                r.problem(at + " must be an object, was " + item);
                continue;
            }
            r.only(item, at + ".", Set.of("name", "category", "type", "finding-site"));
            Code type = r.code(item, at + ".type", true);
            Code category = item.has("category") ? r.code(item, at + ".category", true) : SegmentLabel.MORPHOLOGICALLY_ABNORMAL_STRUCTURE;
            Optional<Code> site = item.has("finding-site") ? Optional.ofNullable(r.code(item, at + ".finding-site", true)) : Optional.empty();
            String name = item.has("name") ? r.text(item, at + ".name") : null;
            if (type == null || category == null || (item.has("finding-site") && site.isEmpty()) || (item.has("name") && name == null)) continue;
            labels.add(new SegmentLabel(category, type, site, name == null ? type.meaning() : name));
        }
        return labels;
    }

    private static boolean isWhole(double[] values) {
        for (double v : values) if (v != Math.rint(v) || v > Integer.MAX_VALUE) return false;
        return true;
    }

    /** Reads values and collects problems, each naming its key. */
    private static final class Reader {
        final List<String> problems = new ArrayList<>();

        void problem(String text) {
            problems.add(text);
        }

        void only(JsonNode node, String prefix, Set<String> allowed) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                String key = it.next().getKey();
                if (!allowed.contains(key)) {
                    problem("unknown key " + prefix + key + " (known: " + prefix + String.join(", " + prefix, new TreeSet<>(allowed)) + ")");
                }
            }
        }

        JsonNode object(JsonNode parent, String key) {
            JsonNode n = parent.get(key);
            if (n == null) {
                problem(key + " is missing");
                return null;
            }
            if (!n.isObject()) {
                problem(key + " must be an object, was " + n);
                return null;
            }
            return n;
        }

        String text(JsonNode parent, String path) {
            JsonNode n = parent.get(leaf(path));
            if (n == null) {
                problem(path + " is missing");
                return null;
            }
            if (!n.isTextual() || n.asText().isBlank()) {
                problem(path + " must be a non-empty string, was " + n);
                return null;
            }
            return n.asText().trim();
        }

        /** A list of non-empty strings; missing is an empty list. */
        List<String> strings(JsonNode parent, String path) {
            JsonNode n = parent.get(leaf(path));
            if (n == null) return List.of();
            List<String> values = new ArrayList<>();
            if (!n.isArray()) {
                problem(path + " must be a list of strings, was " + n);
                return values;
            }
            for (JsonNode v : n) {
                if (!v.isTextual() || v.asText().isBlank()) problem(path + " must be a list of non-empty strings, was " + n);
                else values.add(v.asText().trim());
            }
            return values;
        }

        Integer integer(JsonNode parent, String path) {
            JsonNode n = parent.get(leaf(path));
            if (n == null) {
                problem(path + " is missing");
                return null;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                problem(path + " must be a whole number, was " + n);
                return null;
            }
            return n.intValue();
        }

        Double required(JsonNode parent, String path) {
            JsonNode n = parent.get(leaf(path));
            if (n == null) {
                problem(path + " is missing");
                return null;
            }
            if (!n.isNumber()) {
                problem(path + " must be a number, was " + n);
                return null;
            }
            return n.doubleValue();
        }

        double number(JsonNode parent, String path, double fallback) {
            Double v = required(parent, path);
            return v == null ? fallback : v;
        }

        double[] triple(JsonNode parent, String path, boolean required) {
            return numbers(parent, path, 3, required);
        }

        double[] pair(JsonNode parent, String path) {
            return numbers(parent, path, 2, true);
        }

        private double[] numbers(JsonNode parent, String path, int count, boolean required) {
            JsonNode n = parent.get(leaf(path));
            if (n == null) {
                if (required) problem(path + " is missing");
                return null;
            }
            if (!n.isArray() || n.size() != count) {
                problem(path + " must be a list of " + count + " numbers, was " + n);
                return null;
            }
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                if (!n.get(i).isNumber()) {
                    problem(path + " must be a list of " + count + " numbers, was " + n);
                    return null;
                }
                values[i] = n.get(i).doubleValue();
            }
            return values;
        }

        Code code(JsonNode parent, String path, boolean required) {
            String text = text(parent, path);
            if (text == null) return null;
            try {
                return Code.parse(text);
            } catch (IllegalArgumentException e) {
                problem(path + ": " + e.getMessage());
                return null;
            }
        }

        /** Builds a value whose constructor checks it, reporting a refusal under {@code path}. */
        <T> T make(String path, Object value, java.util.function.Supplier<T> factory) {
            try {
                return factory.get();
            } catch (IllegalArgumentException e) {
                problem(path + ": " + e.getMessage() + " (was " + value + ")");
                return null;
            }
        }

        private static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }
    }
}
