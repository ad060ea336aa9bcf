package org.ctai.inference.model;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model is, as far as the node must know to feed it and read it: what one input holds and at which
 * spacing, how HU are normalised, how the output reads and which labels it finds. This is the one contract
 * type: a model's manifest describes it ({@link ModelManifest#parse}), the ONNX file's {@code ctai.*} metadata
 * may carry part of it, and the operator's {@code model.*} keys override it ({@link ModelConfig}); the layers
 * are stacked with {@link #over}. Every component is optional here, so a layer says only what it knows;
 * {@link ModelSpec} is the effective contract after the defaults and the model's own tensors are applied.
 *
 * <p>Adding a field means adding a component here (with its builder setter) and reading it in the parser
 * ({@link ModelManifest}, or {@link ModelConfig} for a key): {@link #over} layers every component alike.
 *
 * <p>Immutable.
 */
public record ModelContract(Optional<InputLayout> layout, Optional<Spacing> spacing, Optional<InputSize.Fixed> inputSize,
                            Optional<Integer> sizeMultiple, Optional<Normalization> normalization, Optional<OutputKind> output,
                            Optional<Double> threshold, Optional<List<SegmentLabel>> labels, Optional<Domain> domain) {

    /** A layer that says nothing. */
    public static final ModelContract NONE = builder().build();

    public ModelContract {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(spacing, "spacing");
        Objects.requireNonNull(inputSize, "inputSize");
        Objects.requireNonNull(sizeMultiple, "sizeMultiple");
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(threshold, "threshold");
        labels = Objects.requireNonNull(labels, "labels").map(List::copyOf);
        Objects.requireNonNull(domain, "domain");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * This layer over {@code lower}: each component this layer leaves empty is taken from {@code lower}. A component
     * is taken whole (a normalisation with its parameters, the list of labels), never merged.
     */
    public ModelContract over(ModelContract lower) {
        RecordComponent[] components = ModelContract.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                Optional<?> mine = (Optional<?>) components[i].getAccessor().invoke(this);
                values[i] = mine.isPresent() ? mine : components[i].getAccessor().invoke(lower);
                types[i] = components[i].getType();
            }
            return ModelContract.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            if (e instanceof InvocationTargetException ite && ite.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("every component of ModelContract is an Optional", e);
        }
    }

    /** Collects the parts a layer knows; unset parts stay empty. Not thread-safe. */
    public static final class Builder {
        private Optional<InputLayout> layout = Optional.empty();
        private Optional<Spacing> spacing = Optional.empty();
        private Optional<InputSize.Fixed> inputSize = Optional.empty();
        private Optional<Integer> sizeMultiple = Optional.empty();
        private Optional<Normalization> normalization = Optional.empty();
        private Optional<OutputKind> output = Optional.empty();
        private Optional<Double> threshold = Optional.empty();
        private Optional<List<SegmentLabel>> labels = Optional.empty();
        private Optional<Domain> domain = Optional.empty();

        private Builder() {
        }

        public Builder layout(InputLayout v) { layout = Optional.of(v); return this; }
        public Builder spacing(Spacing v) { spacing = Optional.of(v); return this; }
        public Builder inputSize(InputSize.Fixed v) { inputSize = Optional.of(v); return this; }
        public Builder sizeMultiple(int v) { sizeMultiple = Optional.of(v); return this; }
        public Builder normalization(Normalization v) { normalization = Optional.of(v); return this; }
        public Builder output(OutputKind v) { output = Optional.of(v); return this; }
        public Builder threshold(double v) { threshold = Optional.of(v); return this; }
        public Builder labels(List<SegmentLabel> v) { labels = Optional.of(List.copyOf(v)); return this; }
        public Builder domain(Domain v) { domain = Optional.of(v); return this; }

        public ModelContract build() {
            return new ModelContract(layout, spacing, inputSize, sizeMultiple, normalization, output, threshold, labels, domain);
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

    /**
     * What the model was made for, from its manifest's {@code domain} block: the node checks every loaded series against
     * it (with the real geometry, not header text alone) and skips, with the reason, a series outside it, whatever the
     * routing rules let through. A list left empty does not restrict.
     *
     * @param modalities     Modality values, e.g. CT
     * @param bodyParts      Body Part Examined values (upper case); a series without Body Part Examined is not refused for it
     * @param regions        the same regions as SNOMED codes, for the reader (documentation, finding sites)
     * @param axialWithinDeg largest angle between the slices' normal and the patient's head-foot axis
     * @param maxTiltDeg     largest gantry tilt: angle between the slices' normal and the direction the slices step in
     * @param sliceThicknessMm Slice Thickness (else the slice spacing) range, inclusive
     * @param pixelSpacingMm both Pixel Spacing values within this range, inclusive
     * @param minSlices      fewest slices
     */
    public record Domain(List<String> modalities, List<String> bodyParts, List<Code> regions, double axialWithinDeg,
                         double maxTiltDeg, Optional<MmRange> sliceThicknessMm, Optional<MmRange> pixelSpacingMm, int minSlices) {
        public Domain {
            modalities = List.copyOf(modalities);
            bodyParts = bodyParts.stream().map(b -> b.toUpperCase(Locale.ROOT)).toList();
            regions = List.copyOf(regions);
            if (!(axialWithinDeg >= 0 && axialWithinDeg <= 90)) throw new IllegalArgumentException("axial-within-deg must be 0..90, was " + axialWithinDeg);
            if (!(maxTiltDeg >= 0 && maxTiltDeg <= 90)) throw new IllegalArgumentException("max-tilt-deg must be 0..90, was " + maxTiltDeg);
            Objects.requireNonNull(sliceThicknessMm, "sliceThicknessMm");
            Objects.requireNonNull(pixelSpacingMm, "pixelSpacingMm");
            if (minSlices < 1) throw new IllegalArgumentException("min-slices must be at least 1, was " + minSlices);
        }
    }

    /** From {@code low} to {@code high} mm, inclusive. */
    public record MmRange(double low, double high) {
        public MmRange {
            if (!(low >= 0 && low <= high) || !Double.isFinite(high)) throw new IllegalArgumentException("a range needs 0 <= low <= high, was " + low + ".." + high);
        }

        public boolean contains(double v) {
            return v >= low && v <= high;
        }

        @Override
        public String toString() {
            return low + ".." + high + " mm";
        }
    }

    /** How the model's output channels read. One vocabulary for the manifest ({@code output.kind}), the keys and the metadata. */
    public enum OutputKind {
        /** Probabilities in [0, 1] (sigmoid inside the model): one channel per label. */
        SIGMOID,
        /** Raw scores before a sigmoid: one channel per label. */
        LOGITS,
        /** One channel per class, channel 0 background; the highest wins. */
        SOFTMAX;

        /** {@code sigmoid}, {@code logits} or {@code softmax}; {@code probability}, the keys' word before the manifest, still reads as sigmoid. */
        public static OutputKind parse(String value) {
            if (value.trim().equalsIgnoreCase("probability")) return SIGMOID;
            return parseEnum(OutputKind.class, value);
        }

        /** The word as written in a manifest or a key. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
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

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) allowed.add(constant.name().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + ", was '" + value + "'");
        }
    }
}
