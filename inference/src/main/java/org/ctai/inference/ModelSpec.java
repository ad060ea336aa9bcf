package org.ctai.inference;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective contract between the node and a segmentation model: which file, which input tensor
 * and how CT slices are prepared for it, how its output becomes a mask, and where it runs. Built by
 * {@link Segmenter#open} from the configuration ({@link ModelConfig}), the defaults the model file
 * carries in its metadata, and the model's declared inputs and outputs.
 *
 * <p>{@link #inputLayout()} says what is fed, float32: single slices {@code [batch, 1, rows, columns]} (no
 * manifest, or {@code slice-2d}), stacks of adjacent slices {@code [batch, k, rows, columns]} ({@code stack-2.5d}),
 * or 3-D patches {@code [1, 1, slices, rows, columns]} ({@code patch-3d}, resampled to {@link #targetSpacing()}
 * when given). The 2-D output {@code outputName} is {@code [batch, channels, rows, columns]} or
 * {@code [batch, rows, columns]}; the 3-D one {@code [1, channels, slices, rows, columns]}, with one
 * probability or logit channel per label, or softmax channels.
 * A pixel is labelled when its probability is at least {@code threshold} ({@link OutputKind#PROBABILITY}),
 * when its logit is at least {@code logit(threshold)} ({@link OutputKind#LOGITS}), or with the channel
 * of highest score ({@link OutputKind#SOFTMAX}, channel 0 background, channel k is {@code labels.get(k-1)};
 * the threshold does not apply). {@code threads} 0 lets ONNX Runtime choose.
 *
 * <p>Immutable. The constructor checks every component and reports all problems at once.
 */
public record ModelSpec(ModelSource source, String inputName, Layout layout, InputLayout inputLayout,
                        Optional<Spacing> targetSpacing, InputSize inputSize,
                        Normalization normalization, String outputName, OutputKind outputKind, double threshold,
                        List<SegmentLabel> labels, int batchSize, Device device, int threads) {

    public static final double DEFAULT_THRESHOLD = 0.5;
    /** Batching gives nothing on CPU (measured: 2 cores, 0.5 M parameter U-Net); raise it for CUDA. */
    public static final int DEFAULT_BATCH_SIZE = 1;
    /** A U-Net with three poolings needs rows and columns in multiples of 2^3. */
    public static final int DEFAULT_SIZE_MULTIPLE = 8;

    public ModelSpec {
        List<String> problems = new ArrayList<>();
        if (source == null) problems.add("model.file: no model source");
        if (inputName == null || inputName.isEmpty()) problems.add("model.input-name must name the input tensor");
        if (layout == null) problems.add("model.layout must be NCHW");
        if (inputLayout == null) problems.add("input.layout must be slice-2d, stack-2.5d or patch-3d");
        if (targetSpacing == null) problems.add("input.spacing-mm: no target spacing given (not even none)");
        if (inputSize == null) problems.add("model.input-size missing");
        if (normalization == null) problems.add("model.normalization must be window or minmax");
        if (outputName == null || outputName.isEmpty()) problems.add("no output tensor named");
        if (outputKind == null) problems.add("model.output must be probability, logits or softmax");
        if (!(threshold > 0 && threshold < 1)) problems.add("model.threshold must be between 0 and 1 (exclusive), was " + threshold);
        if (labels == null || labels.isEmpty()) {
            problems.add("model.labels must name at least one label");
        } else if (outputKind != null && outputKind != OutputKind.SOFTMAX && labels.size() != 1
                && !(inputLayout instanceof InputLayout.Patch3d)) {
            problems.add("model.labels: output " + outputKind.key() + " gives one label, " + labels.size() + " given");
        }
        if (batchSize < 1) problems.add("model.batch-size must be at least 1, was " + batchSize);
        if (device == null) problems.add("model.device must be auto, cpu or cuda");
        if (threads < 0) problems.add("model.threads must be 0 (ONNX Runtime chooses) or more, was " + threads);
        if (!problems.isEmpty()) throw new ModelSpecException("model specification", problems);
        labels = List.copyOf(labels);
    }

    /** Where the ONNX model comes from. */
    public sealed interface ModelSource {
        /** The bundled default model: a pipeline model trained on synthetic phantoms, not a clinical one. */
        ModelSource DEFAULT = new Bundled("/org/ctai/inference/model/ctai-phantom-unet.onnx");

        /** Prefix of {@code model.file} values that name a model bundled with the node instead of a file. */
        String BUNDLED_PREFIX = "bundled:";

        /** {@code model.file}: a path, or {@code bundled:NAME} for {@code NAME.onnx} among the bundled models. */
        static ModelSource of(Path file) {
            String text = file.toString();
            if (text.startsWith(BUNDLED_PREFIX)) return new Bundled("/org/ctai/inference/model/" + text.substring(BUNDLED_PREFIX.length()) + ".onnx");
            return new OnnxFile(file);
        }

        /** For logs and messages. */
        String description();

        record OnnxFile(Path path) implements ModelSource {
            public OnnxFile {
                Objects.requireNonNull(path, "path");
            }

            @Override
            public String description() {
                return path.toString();
            }
        }

        /** A class-path resource, absolute (starting with '/'). */
        record Bundled(String resource) implements ModelSource {
            public Bundled {
                if (!resource.startsWith("/")) throw new IllegalArgumentException("resource must be absolute: " + resource);
            }

            @Override
            public String description() {
                return "bundled " + resource;
            }
        }
    }

    public enum Layout {
        /** batch, channel, rows, columns */
        NCHW,
        /** batch, channel, slices, rows, columns: 3-D patches */
        NCDHW;

        public static Layout parse(String value) {
            return ModelSpec.parseEnum(Layout.class, value);
        }
    }

    /**
     * What one model input holds, from the model's manifest ({@link ModelManifest}, key {@code input.layout});
     * without a manifest always {@link Slice2d}.
     */
    public sealed interface InputLayout {
        /** One slice per image, {@code [batch, 1, rows, columns]}: the node's original path. */
        record Slice2d() implements InputLayout {
            @Override
            public String toString() {
                return "slice-2d";
            }
        }

        /**
         * {@code slices} adjacent slices as channels, {@code [batch, slices, rows, columns]}, the mask being that
         * of the centre slice; at the ends of the series the end slice is repeated. {@code slices} is odd.
         */
        record Stack25d(int slices) implements InputLayout {
            public Stack25d {
                if (slices < 3 || slices % 2 == 0) throw new IllegalArgumentException("a stack needs an odd number of slices >= 3, was " + slices);
            }

            @Override
            public String toString() {
                return "stack-2.5d of " + slices + " slices";
            }
        }

        /**
         * 3-D patches {@code [1, 1, slices, rows, columns]} taken by a sliding window whose neighbours share
         * {@code overlap} of the patch along each axis, blended with Gaussian weights.
         */
        record Patch3d(int slices, int rows, int columns, double overlap) implements InputLayout {
            public Patch3d {
                if (slices < 1 || rows < 1 || columns < 1) {
                    throw new IllegalArgumentException("patch size must be positive, was " + slices + "x" + rows + "x" + columns);
                }
                if (!(overlap >= 0 && overlap < 1)) throw new IllegalArgumentException("overlap must be in [0, 1), was " + overlap);
            }

            @Override
            public String toString() {
                return "patch-3d " + slices + "x" + rows + "x" + columns + " (slices x rows x columns), overlap " + overlap;
            }
        }
    }

    /**
     * Voxel spacing in mm: {@code sliceMm} between slice centres, {@code rowMm} between rows (the first value
     * of Pixel Spacing), {@code columnMm} between columns.
     */
    public record Spacing(double sliceMm, double rowMm, double columnMm) {
        public Spacing {
            if (!(sliceMm > 0 && rowMm > 0 && columnMm > 0) || !Double.isFinite(sliceMm + rowMm + columnMm)) {
                throw new IllegalArgumentException("spacing must be positive and finite, was " + sliceMm + ", " + rowMm + ", " + columnMm);
            }
        }

        @Override
        public String toString() {
            return sliceMm + " x " + rowMm + " x " + columnMm + " mm";
        }
    }

    /** The rows x columns the model is fed. */
    public sealed interface InputSize {
        /** Exactly this size: slices are resized keeping their aspect ratio, then padded. */
        record Fixed(int rows, int columns) implements InputSize {
            public Fixed {
                if (rows < 1 || columns < 1) throw new IllegalArgumentException("input size must be positive, was " + rows + "x" + columns);
            }

            /** {@code "512x512"} (rows x columns). */
            public static Fixed parse(String value) {
                String[] parts = value.trim().toLowerCase(Locale.ROOT).split("x");
                if (parts.length != 2) throw new IllegalArgumentException("expected ROWSxCOLUMNS such as 512x512, was '" + value + "'");
                try {
                    return new Fixed(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected ROWSxCOLUMNS such as 512x512, was '" + value + "'");
                }
            }

            @Override
            public String toString() {
                return rows + "x" + columns;
            }
        }

        /** The slice's own size, padded up to multiples of {@code multipleOf}. */
        record Dynamic(int multipleOf) implements InputSize {
            public Dynamic {
                if (multipleOf < 1) throw new IllegalArgumentException("size multiple must be at least 1, was " + multipleOf);
            }

            @Override
            public String toString() {
                return "slice size padded to multiples of " + multipleOf;
            }
        }
    }

    /** How HU become the model's input values. */
    public sealed interface Normalization {
        /** HU window: {@code clamp((HU - (center - width/2)) / width, 0, 1)}. */
        record HuWindow(double center, double width) implements Normalization {
            public HuWindow {
                if (!Double.isFinite(center)) throw new IllegalArgumentException("window center must be finite, was " + center);
                if (!(width > 0) || !Double.isFinite(width)) throw new IllegalArgumentException("window width must be positive, was " + width);
            }

            @Override
            public String toString() {
                return "HU window center " + center + " width " + width;
            }
        }

        /**
         * The seed's normalisation: {@code (HU - min) / (max - min)} over the crop box (or the whole
         * slice), every pixel outside the box 0; a flat region gives 0.
         */
        record MinMax(Optional<CropBox> crop) implements Normalization {
            public MinMax {
                Objects.requireNonNull(crop, "crop");
            }

            @Override
            public String toString() {
                return "min-max" + crop.map(c -> " within " + c).orElse(" over the slice");
            }
        }

        /**
         * {@code (clamp(HU, clipLow, clipHigh) - mean) / std}, the clip optional (nnU-Net's CT scheme: clip to the
         * training set's 0.5 and 99.5 percentiles, then its mean and standard deviation).
         */
        record ZScore(double mean, double std, Optional<HuRange> clip) implements Normalization {
            public ZScore {
                if (!Double.isFinite(mean)) throw new IllegalArgumentException("mean must be finite, was " + mean);
                if (!(std > 0) || !Double.isFinite(std)) throw new IllegalArgumentException("std must be positive, was " + std);
                Objects.requireNonNull(clip, "clip");
            }

            @Override
            public String toString() {
                return "z-score mean " + mean + " std " + std + clip.map(c -> " after clipping to " + c).orElse("");
            }
        }

        /**
         * HU clipped to their own {@code lowPercent} and {@code highPercent} percentiles and scaled to 0..1; the
         * percentiles are taken over what one model run sees: the slice (2-D and 2.5-D) or the series (3-D).
         */
        record PercentileClip(double lowPercent, double highPercent) implements Normalization {
            public PercentileClip {
                if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
                    throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, were " + lowPercent + " and " + highPercent);
                }
            }

            @Override
            public String toString() {
                return "percentile clip " + lowPercent + ".." + highPercent + ", scaled to 0..1";
            }
        }
    }

    /** HU from {@code low} to {@code high}, low below high. */
    public record HuRange(double low, double high) {
        public HuRange {
            if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("HU range needs finite low < high, was " + low + ".." + high);
            }
        }

        @Override
        public String toString() {
            return low + ".." + high + " HU";
        }
    }

    /** Rows {@code firstRow..lastRow} and columns {@code firstColumn..lastColumn}, inclusive, of the original slice. */
    public record CropBox(int firstRow, int lastRow, int firstColumn, int lastColumn) {
        public CropBox {
            if (firstRow < 0 || firstColumn < 0 || lastRow < firstRow || lastColumn < firstColumn) {
                throw new IllegalArgumentException("crop box rows " + firstRow + "-" + lastRow + ", columns "
                        + firstColumn + "-" + lastColumn + " is empty or negative");
            }
        }

        /** The seed's fixed box: rows 270-429, columns 200-299. */
        public static final CropBox SEED = new CropBox(270, 429, 200, 299);

        /** {@code "270-429,200-299"}: rows, then columns, inclusive. */
        public static CropBox parse(String value) {
            String[] parts = value.split(",");
            if (parts.length != 2) throw new IllegalArgumentException("expected ROW-ROW,COLUMN-COLUMN such as 270-429,200-299, was '" + value + "'");
            int[] rows = range(parts[0], value);
            int[] columns = range(parts[1], value);
            return new CropBox(rows[0], rows[1], columns[0], columns[1]);
        }

        private static int[] range(String part, String whole) {
            String[] ends = part.trim().split("-");
            try {
                if (ends.length == 2) return new int[] {Integer.parseInt(ends[0].trim()), Integer.parseInt(ends[1].trim())};
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("expected ROW-ROW,COLUMN-COLUMN such as 270-429,200-299, was '" + whole + "'");
        }

        @Override
        public String toString() {
            return "rows " + firstRow + "-" + lastRow + ", columns " + firstColumn + "-" + lastColumn;
        }
    }

    public enum OutputKind {
        /** Probabilities in [0, 1] (sigmoid inside the model), one channel. */
        PROBABILITY,
        /** Raw scores before a sigmoid, one channel. */
        LOGITS,
        /** One channel per class, channel 0 background; the highest wins. */
        SOFTMAX;

        public static OutputKind parse(String value) {
            return ModelSpec.parseEnum(OutputKind.class, value);
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Device {
        /** CUDA when an NVIDIA GPU is visible and the CUDA provider starts, CPU otherwise. */
        AUTO,
        CPU,
        /** CUDA or fail. */
        CUDA;

        public static Device parse(String value) {
            return ModelSpec.parseEnum(Device.class, value);
        }
    }

    /** A coded concept as DICOM writes it: coding scheme designator, code value, code meaning. */
    public record Code(String scheme, String value, String meaning) {
        public Code {
            if (scheme == null || scheme.isBlank() || value == null || value.isBlank() || meaning == null || meaning.isBlank()) {
                throw new IllegalArgumentException("a code needs scheme, value and meaning, was " + scheme + ":" + value + ":" + meaning);
            }
        }

        /** {@code "SCT:108369006:Neoplasm"}; the meaning may itself contain ':'. */
        public static Code parse(String text) {
            String[] parts = text.trim().split(":", 3);
            if (parts.length != 3) throw new IllegalArgumentException("expected SCHEME:VALUE:MEANING such as SCT:108369006:Neoplasm, was '" + text + "'");
            return new Code(parts[0].trim(), parts[1].trim(), parts[2].trim());
        }

        @Override
        public String toString() {
            return scheme + ":" + value + ":" + meaning;
        }
    }

    /**
     * What a segment is, as a DICOM SEG segment describes it: property category and property type (the SR's
     * Finding), where it is (the SEG's Anatomic Region and the SR's Finding Site, when known) and a short name
     * for the Segment Label (the type's meaning unless the manifest names it).
     */
    public record SegmentLabel(Code category, Code type, Optional<Code> findingSite, String name) {
        public static final Code MORPHOLOGICALLY_ABNORMAL_STRUCTURE = new Code("SCT", "49755003", "Morphologically abnormal structure");
        public static final SegmentLabel NEOPLASM = new SegmentLabel(MORPHOLOGICALLY_ABNORMAL_STRUCTURE,
                new Code("SCT", "108369006", "Neoplasm"));

        public SegmentLabel {
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(findingSite, "findingSite");
            if (name == null || name.isBlank()) throw new IllegalArgumentException("a label needs a name");
        }

        /** No finding site; named by the type's meaning. */
        public SegmentLabel(Code category, Code type) {
            this(category, type, Optional.empty(), Objects.requireNonNull(type, "type").meaning());
        }

        /**
         * Labels separated by ';', each {@code TYPE} or {@code CATEGORY>TYPE} in {@link Code#parse}
         * form; the category defaults to SCT 49755003 "Morphologically abnormal structure".
         */
        public static List<SegmentLabel> parseList(String text) {
            List<SegmentLabel> labels = new ArrayList<>();
            for (String item : text.split(";")) {
                if (item.isBlank()) continue;
                int arrow = item.indexOf('>');
                labels.add(arrow < 0 ? new SegmentLabel(MORPHOLOGICALLY_ABNORMAL_STRUCTURE, Code.parse(item))
                        : new SegmentLabel(Code.parse(item.substring(0, arrow)), Code.parse(item.substring(arrow + 1))));
            }
            if (labels.isEmpty()) throw new IllegalArgumentException("no label in '" + text + "'");
            return labels;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) allowed.add(constant.name().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + ", was '" + value + "'");
        }
    }
}
