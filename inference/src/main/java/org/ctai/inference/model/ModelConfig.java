package org.ctai.inference.model;

import org.ctai.inference.model.ModelContract.CropBox;
import org.ctai.inference.model.ModelContract.InputSize;
import org.ctai.inference.model.ModelContract.Normalization;
import org.ctai.inference.model.ModelContract.OutputKind;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.model.ModelSpec.Device;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator configured about the model: which file, where it runs, and the parts of its
 * {@link ModelContract} the operator overrides. Anything left unset comes from the model's manifest, then the
 * model file's metadata, then the defaults in {@link ModelSpec}; the segmenter turns it into the effective
 * {@link ModelSpec}.
 *
 * <p>As configuration keys ({@link #fromProperties}, prefix {@code model.}) and as ONNX
 * {@code metadata_props} of a model file (same names, prefix {@code ctai.}, for the keys marked *):
 * <pre>
 *   file            path of the .onnx file; default: the bundled model
 *   input-name      input tensor; default: the model's only input
 *   input-size   *  ROWSxCOLUMNS to feed a model with dynamic rows/columns; default: each slice's own size
 *   size-multiple * rows and columns are padded to multiples of this (dynamic models); default 8
 *   normalization * window | minmax (required from one of the two sources)
 *   window-center * window-width *   HU, for window
 *   crop         *  ROW-ROW,COLUMN-COLUMN inclusive box for minmax (the seed: 270-429,200-299); default: whole slice
 *   output       *  sigmoid | logits | softmax (the manifest's output.kind; probability reads as sigmoid); default sigmoid
 *   threshold    *  probability threshold, default 0.5
 *   labels       *  SCHEME:VALUE:MEANING[;...], default SCT:108369006:Neoplasm
 *   batch-size      slices per run; default the model's fixed batch, else 1
 *   device          auto | cpu | cuda; default auto
 *   threads         ONNX Runtime intra-op threads, 0 = its choice; default 0
 * </pre>
 * The four normalisation keys travel together: a source that sets any of them defines the
 * normalisation alone. {@code model.layout} is no longer read (the layout is the manifest's
 * {@code input.layout}); it is accepted with a warning. Immutable; build with {@link #builder()}.
 */
public final class ModelConfig {

    private static final Logger log = LoggerFactory.getLogger(ModelConfig.class);

    /** Keys a model file may carry in its metadata, without the {@code ctai.} prefix. */
    static final Set<String> METADATA_KEYS = Set.of("input-size", "size-multiple", "normalization", "window-center",
            "window-width", "crop", "output", "threshold", "labels");
    static final Set<String> CONFIG_KEYS;

    static {
        Set<String> keys = new TreeSet<>(METADATA_KEYS);
        keys.addAll(List.of("file", "input-name", "layout", "batch-size", "device", "threads"));
        CONFIG_KEYS = Set.copyOf(keys);
    }

    private final Optional<Path> file;
    private final Optional<String> inputName;
    private final ModelContract contract;
    private final OptionalInt batchSize;
    private final Device device;
    private final OptionalInt threads;

    private ModelConfig(Builder b) {
        this.file = Optional.ofNullable(b.file);
        this.inputName = Optional.ofNullable(b.inputName);
        this.contract = b.contract.build();
        this.batchSize = b.batchSize == null ? OptionalInt.empty() : OptionalInt.of(b.batchSize);
        this.device = b.device;
        this.threads = b.threads == null ? OptionalInt.empty() : OptionalInt.of(b.threads);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Everything from the bundled model's metadata and the defaults. */
    public static ModelConfig defaults() {
        return builder().build();
    }

    /**
     * Reads the {@code model.*} keys of a configuration (other keys are ignored). Every bad value is
     * reported, together, as the operator wrote key and value.
     *
     * @throws ModelSpecException naming each bad or unknown {@code model.} key
     */
    public static ModelConfig fromProperties(Map<String, String> properties) {
        return parse(properties, "model.", "configuration", CONFIG_KEYS);
    }

    /**
     * The part of the contract a model file carries in {@code metadata_props} (keys {@code ctai.*}). Other
     * {@code ctai.} keys are logged once, since a misspelt key silently loses its value.
     *
     * @throws ModelSpecException naming each bad value
     */
    public static ModelContract fromMetadata(Map<String, String> metadata, String modelDescription) {
        Set<String> unused = new TreeSet<>();
        for (String key : metadata.keySet()) {
            if (key.startsWith("ctai.") && !METADATA_KEYS.contains(key.substring("ctai.".length()))) unused.add(key);
        }
        if (!unused.isEmpty()) {
            log.info("model {}: metadata keys not used by the node: {} (it reads ctai.{})", modelDescription,
                    String.join(", ", unused), String.join(", ctai.", new TreeSet<>(METADATA_KEYS)));
        }
        return parse(metadata, "ctai.", "metadata of model " + modelDescription, METADATA_KEYS).contract;
    }

    private static ModelConfig parse(Map<String, String> values, String prefix, String source, Set<String> allowed) {
        Builder b = builder();
        List<String> problems = new ArrayList<>();
        String kind = null;
        Double center = null;
        Double width = null;
        CropBox crop = null;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(values).entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            String key = e.getKey().substring(prefix.length());
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (!allowed.contains(key)) {
                if (prefix.equals("model.")) problems.add("unknown key " + e.getKey() + " (known: model." + String.join(", model.", new TreeSet<>(allowed)) + ")");
                continue;
            }
            if (value.isEmpty()) continue; // an empty value means "not set": the shipped file lists every key
            try {
                switch (key) {
                    case "file" -> b.file(Path.of(value));
                    case "input-name" -> b.inputName(value);
                    case "layout" -> log.warn("model.layout={} is not read: what a model is fed comes from its manifest's input.layout "
                            + "(slice-2d without one); remove the key", value);
                    case "input-size" -> b.inputSize(InputSize.Fixed.parse(value));
                    case "size-multiple" -> b.sizeMultiple(positiveInt(value));
                    case "normalization" -> kind = normalizationKind(value);
                    case "window-center" -> center = number(value);
                    case "window-width" -> width = number(value);
                    case "crop" -> crop = CropBox.parse(value);
                    case "output" -> b.output(OutputKind.parse(value));
                    case "threshold" -> b.threshold(number(value));
                    case "labels" -> b.labels(SegmentLabel.parseList(value));
                    case "batch-size" -> b.batchSize(positiveInt(value));
                    case "device" -> b.device(Device.parse(value));
                    case "threads" -> b.threads(Integer.parseInt(value));
                    default -> throw new IllegalStateException("unhandled key " + key);
                }
            } catch (IllegalArgumentException ex) {
                problems.add(e.getKey() + ": " + message(ex) + " (was '" + value + "')");
            }
        }
        try {
            Optional<Normalization> normalization = normalization(prefix, kind, center, width, crop);
            normalization.ifPresent(b::normalization);
        } catch (IllegalArgumentException ex) {
            problems.add(ex.getMessage());
        }
        if (!problems.isEmpty()) throw new ModelSpecException("model " + source, problems);
        return b.build();
    }

    private static Optional<Normalization> normalization(String prefix, String kind, Double center, Double width, CropBox crop) {
        if (kind == null) {
            if (center != null || width != null || crop != null) {
                throw new IllegalArgumentException(prefix + "normalization must be set (window or minmax) when "
                        + prefix + "window-center, window-width or crop is");
            }
            return Optional.empty();
        }
        if (kind.equals("window")) {
            if (center == null || width == null) {
                throw new IllegalArgumentException(prefix + "normalization=window needs " + prefix + "window-center and " + prefix + "window-width");
            }
            if (crop != null) throw new IllegalArgumentException(prefix + "crop applies to minmax only, not to window");
            return Optional.of(new Normalization.HuWindow(center, width));
        }
        if (center != null || width != null) {
            throw new IllegalArgumentException(prefix + "window-center and window-width apply to window only, not to minmax");
        }
        return Optional.of(new Normalization.MinMax(Optional.ofNullable(crop)));
    }

    private static String normalizationKind(String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("window") && !v.equals("minmax")) throw new IllegalArgumentException("expected window or minmax");
        return v;
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number");
        }
    }

    private static int positiveInt(String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 1) throw new IllegalArgumentException("expected a whole number of at least 1");
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number of at least 1");
        }
    }

    private static String message(IllegalArgumentException e) {
        return e instanceof NumberFormatException ? "expected a whole number" : e.getMessage();
    }

    /** The same settings for another model file ({@code model.file} as written, {@code bundled:NAME} too). */
    public ModelConfig withFile(Path file) {
        return new ModelConfig(this, Objects.requireNonNull(file, "file"));
    }

    private ModelConfig(ModelConfig other, Path file) {
        this.file = Optional.of(file);
        this.inputName = other.inputName;
        this.contract = other.contract;
        this.batchSize = other.batchSize;
        this.device = other.device;
        this.threads = other.threads;
    }

    public Optional<Path> file() { return file; }
    public Optional<String> inputName() { return inputName; }
    /** The parts of the model's contract the operator overrides. */
    public ModelContract contract() { return contract; }
    public OptionalInt batchSize() { return batchSize; }
    public Device device() { return device; }
    public OptionalInt threads() { return threads; }

    /** Collects settings; unset ones stay unset. Not thread-safe. */
    public static final class Builder {
        private Path file;
        private String inputName;
        private final ModelContract.Builder contract = ModelContract.builder();
        private Integer batchSize;
        private Device device = Device.AUTO;
        private Integer threads;

        private Builder() {
        }

        public Builder file(Path file) { this.file = Objects.requireNonNull(file); return this; }
        public Builder inputName(String inputName) { this.inputName = Objects.requireNonNull(inputName); return this; }
        public Builder inputSize(InputSize.Fixed inputSize) { contract.inputSize(inputSize); return this; }
        public Builder sizeMultiple(int sizeMultiple) { contract.sizeMultiple(sizeMultiple); return this; }
        public Builder normalization(Normalization normalization) { contract.normalization(normalization); return this; }
        public Builder output(OutputKind output) { contract.output(output); return this; }
        public Builder threshold(double threshold) { contract.threshold(threshold); return this; }
        public Builder labels(List<SegmentLabel> labels) { contract.labels(labels); return this; }
        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }
        public Builder device(Device device) { this.device = Objects.requireNonNull(device); return this; }
        public Builder threads(int threads) { this.threads = threads; return this; }

        public ModelConfig build() {
            return new ModelConfig(this);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ModelConfig[");
        file.ifPresent(v -> s.append("file=").append(v).append(", "));
        inputName.ifPresent(v -> s.append("input-name=").append(v).append(", "));
        contract.inputSize().ifPresent(v -> s.append("input-size=").append(v).append(", "));
        contract.sizeMultiple().ifPresent(v -> s.append("size-multiple=").append(v).append(", "));
        contract.normalization().ifPresent(v -> s.append("normalization=").append(v).append(", "));
        contract.output().ifPresent(v -> s.append("output=").append(v.key()).append(", "));
        contract.threshold().ifPresent(v -> s.append("threshold=").append(v).append(", "));
        contract.labels().ifPresent(v -> s.append("labels=").append(v).append(", "));
        batchSize.ifPresent(v -> s.append("batch-size=").append(v).append(", "));
        threads.ifPresent(v -> s.append("threads=").append(v).append(", "));
        return s.append("device=").append(device.name().toLowerCase(java.util.Locale.ROOT)).append(']').toString();
    }
}
