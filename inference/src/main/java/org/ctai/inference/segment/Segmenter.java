package org.ctai.inference.segment;

import org.ctai.inference.model.ModelContract;
import org.ctai.inference.InferenceException;
import org.ctai.inference.OpenCvNatives;
import org.ctai.inference.StageTimer;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpec;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Volume;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.model.ModelSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Segments CT volumes with an ONNX model through ONNX Runtime: HU slices in, one label mask per
 * slice out ({@code byte[rows * columns]}, row-major; 0 background, k for the k-th of
 * {@link ModelSpec#labels()}; with one label that is a 0/1 mask).
 *
 * <p>{@link #open} loads the model, resolves the {@link ModelSpec} (configuration over the model's
 * {@code ctai.*} metadata over defaults), checks it against the model's declared inputs and outputs
 * and fails with every mismatch named ({@link ModelSpecException}). Slices are normalised, resized
 * (fixed-size models, keeping the aspect ratio) and zero-padded to what the model accepts with
 * OpenCV, run in batches of {@link ModelSpec#batchSize()}, and the masks brought back to the slice's
 * size with nearest neighbour.
 *
 * <p>Device: {@code cpu}; {@code cuda} (or fail); {@code auto}: CUDA when an NVIDIA GPU is visible and
 * the CUDA provider starts, else CPU. {@link #provider()} says which runs and why, and one INFO line
 * says it at start.
 *
 * <p>Thread-safe: ONNX Runtime sessions run concurrently and every call allocates its own buffers.
 * Close it to free the native session; using it after {@link #close()} throws IllegalStateException.
 */
public final class Segmenter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Segmenter.class);

    /** Receives each slice's HU and mask, in slice order, as batches complete. */
    @FunctionalInterface
    public interface SliceSink {
        void accept(int sliceIndex, float[] hu, byte[] mask);
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelSpec spec;
    private final ExecutionProvider provider;
    private final MaskDecoder decoder;
    /** The model's batch dimension is fixed: every run feeds exactly {@code spec.batchSize()} images. */
    private final boolean batchFixed;
    private final String modelSha256;
    /** Present for a patch-3d model: the 3-D path. */
    private final Optional<PatchSegmenter> patches;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Segmenter(OrtEnvironment env, OrtSession session, ModelSpec spec, ExecutionProvider provider, boolean batchFixed,
                      String modelSha256) {
        this.env = env;
        this.session = session;
        this.spec = spec;
        this.provider = provider;
        this.batchFixed = batchFixed;
        this.modelSha256 = modelSha256;
        this.decoder = new MaskDecoder(spec.outputKind(), spec.threshold());
        this.patches = spec.inputLayout() instanceof ModelContract.InputLayout.Patch3d
                ? Optional.of(new PatchSegmenter(env, session, spec)) : Optional.empty();
    }

    /**
     * Loads the configured model and checks it.
     *
     * @throws ModelSpecException if the configuration, the model's metadata and the model's inputs and outputs disagree
     * @throws InferenceException if the model cannot be read or loaded, or {@code cuda} was required and does not start
     */
    public static Segmenter open(ModelConfig config) {
        return open(config, GpuProbe.DEVICE_NODE);
    }

    static Segmenter open(ModelConfig config, GpuProbe probe) {
        Objects.requireNonNull(config, "config");
        OpenCvNatives.load();
        ModelSource source = config.file().map(ModelSource::of).orElse(ModelSource.DEFAULT);
        Optional<ModelContract> manifest = source.manifest();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelSpec.Device device = config.device();
        SessionFactory.Opened opened = SessionFactory.open(env, source, device, config.threads().orElse(0), probe);
        try {
            OrtSession session = opened.session();
            ModelContract metadata = ModelConfig.fromMetadata(session.getMetadata().getCustomMetadata(), source.description());
            List<TensorSignature> inputs = session.getInputInfo().values().stream().map(TensorSignature::of).toList();
            List<TensorSignature> outputs = session.getOutputInfo().values().stream().map(TensorSignature::of).toList();
            ModelContract declared = manifest.map(m -> m.over(metadata)).orElse(metadata);
            ModelSpec spec = SpecResolver.resolve(source, config, config.contract().over(declared), inputs, outputs);
            log.info("model {}: {}{}, input '{}' {}, {}, output '{}' {}{}, labels {}, batch {}, {} threads", source.description(),
                    spec.inputLayout(), spec.targetSpacing().map(t -> " at " + t).orElse(""), spec.inputName(), spec.inputSize(), spec.normalization(), spec.outputName(), spec.outputKind().key(),
                    spec.outputKind() == ModelContract.OutputKind.SOFTMAX ? "" : " >= " + spec.threshold(), spec.labels(),
                    spec.batchSize(), spec.threads() == 0 ? "default" : spec.threads());
            boolean batchFixed = inputs.stream().filter(t -> t.name().equals(spec.inputName())).findFirst()
                    .map(t -> t.fixed(0)).orElse(false);
            return new Segmenter(env, session, spec, opened.provider(), batchFixed, source.sha256());
        } catch (OrtException e) {
            closeQuietly(opened.session(), e);
            throw new InferenceException("model " + source.description() + ": cannot read its inputs, outputs or metadata: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(opened.session(), e);
            throw e;
        }
    }

    /** For a patch-3d model, how it tiles {@code volume}; empty for a 2-D or 2.5-D model. */
    public java.util.Optional<PatchGrid> patchGrid(Volume volume) {
        if (!(spec.inputLayout() instanceof ModelContract.InputLayout.Patch3d patch)) return java.util.Optional.empty();
        Resampling plan = Resampling.plan(volume.geometry(), volume.sliceCount(), spec.targetSpacing());
        return java.util.Optional.of(PatchGrid.tile(plan.targetSlices(), plan.targetRows(), plan.targetColumns(), patch));
    }

    /** The effective specification. */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * SHA-256 of the model's bytes (the ONNX file or the bundled resource), 64 lower-case hex digits, computed
     * once by {@link #open}: identifies the exact model in the results (SEG algorithm version, SR device).
     */
    public String modelSha256() {
        return modelSha256;
    }

    /** The execution provider that runs the model and why it was chosen. */
    public ExecutionProvider provider() {
        return provider;
    }

    /**
     * Segments every slice of {@code volume}, reading its pixels a batch at a time, and hands each
     * slice's HU and mask to {@code sink} in slice order. Only one batch of slices is held at once.
     *
     * @throws SeriesLoadException if a slice file cannot be read
     * @throws InferenceException if ONNX Runtime fails or the model's output does not fit
     */
    public void segment(Volume volume, SliceSink sink) {
        segment(volume, sink, new StageTimer());
    }

    /**
     * As {@link #segment(Volume, SliceSink)}, adding the stages' time to {@code timer}. A patch-3d model needs the
     * whole volume before the first mask: the sink then gets every slice after the 3-D run, with its HU read again.
     */
    public void segment(Volume volume, SliceSink sink, StageTimer timer) {
        Objects.requireNonNull(sink, "sink");
        Geometry g = volume.geometry();
        if (patches.isPresent() || spec.inputLayout() instanceof ModelContract.InputLayout.Stack25d) {
            byte[][] masks = patches.isPresent()
                    ? segmentGrid(g, volume.sliceCount(), volume::readSlice, volume.seriesInstanceUid(), timer)
                    : segmentStacks(volume.sliceCount(), volume::readSlice, g.rows(), g.columns(), volume.seriesInstanceUid(), timer);
            for (int i = 0; i < masks.length; i++) {
                sink.accept(i, volume.readSlice(i), masks[i]);
                masks[i] = null;
            }
            return;
        }
        for (int from = 0; from < volume.sliceCount(); from += spec.batchSize()) {
            int to = Math.min(volume.sliceCount(), from + spec.batchSize());
            timer.start(StageTimer.Stage.PREPROCESS);
            float[][] hu = volume.readSlices(from, to);
            byte[][] masks = segmentSlices(hu, g.rows(), g.columns(), volume.seriesInstanceUid(), timer);
            timer.stop();
            for (int i = 0; i < hu.length; i++) {
                sink.accept(from + i, hu[i], masks[i]);
            }
        }
    }

    /**
     * The 3-D path over a series of {@code slices} slices of geometry {@code g}: HU read once each, resampled to
     * the model's target spacing, normalised, segmented patch by patch, labels brought back to the series' grid.
     * Holds the volume at the target spacing (4 bytes per voxel) and the labels at both grids (1 byte per voxel).
     */
    byte[][] segmentGrid(Geometry g, int slices, IntFunction<float[]> sliceHu, String seriesUid, StageTimer timer) {
        if (closed.get()) throw new IllegalStateException("segmenter for model " + spec.source().description() + " is closed");
        PatchSegmenter patch = patches.orElseThrow(() -> new IllegalStateException("model " + spec.source().description() + " is 2-D"));
        timer.start(StageTimer.Stage.PREPROCESS);
        Resampling grid = Resampling.plan(g, slices, spec.targetSpacing());
        float[][] planes = grid.toTarget(sliceHu);
        normalizeVolume(planes, grid.targetRows(), grid.targetColumns(), seriesUid);
        byte[][] target = patch.segment(planes, grid.targetRows(), grid.targetColumns(), seriesUid, timer);
        planes = null;
        timer.start(StageTimer.Stage.POSTPROCESS);
        byte[][] masks = new byte[slices][];
        for (int i = 0; i < slices; i++) masks[i] = grid.labelsBack(target[grid.nearestTargetSlice(i)]);
        timer.stop();
        return masks;
    }

    private void normalizeVolume(float[][] planes, int rows, int columns, String seriesUid) {
        if (spec.normalization() instanceof ModelContract.Normalization.PercentileClip p) {
            SliceNormalizer.HuPercentiles percentiles = new SliceNormalizer.HuPercentiles();
            for (float[] plane : planes) percentiles.add(plane);
            double low = percentiles.at(p.lowPercent());
            double high = percentiles.at(p.highPercent());
            for (float[] plane : planes) SliceNormalizer.scale(plane, plane, low, high);
            return;
        }
        for (int z = 0; z < planes.length; z++) {
            planes[z] = SliceNormalizer.normalize(spec.normalization(), planes[z], rows, columns, seriesUid);
        }
    }

    /**
     * Segments every slice of {@code volume} and returns the masks in slice order. Holds all masks:
     * {@code rows * columns} bytes per slice.
     */
    public List<byte[]> segment(Volume volume) {
        List<byte[]> masks = new ArrayList<>(volume.sliceCount());
        segment(volume, (index, hu, mask) -> masks.add(mask));
        return masks;
    }

    /**
     * Segments slices already in memory: each {@code hu[i]} is one slice of {@code rows x columns}
     * HU, row-major. Returns one mask per slice.
     *
     * @throws IllegalArgumentException if a slice is not {@code rows * columns} long
     */
    public byte[][] segmentSlices(float[][] hu, int rows, int columns) {
        if (patches.isPresent()) {
            // no geometry: the slices are taken to be at the model's spacing already
            for (float[] slice : hu) checkSize(slice, rows, columns);
            return segmentGridAsIs(hu, rows, columns);
        }
        if (spec.inputLayout() instanceof ModelContract.InputLayout.Stack25d) {
            for (float[] slice : hu) checkSize(slice, rows, columns);
            return segmentStacks(hu.length, z -> hu[z], rows, columns, "(slices in memory)", new StageTimer());
        }
        return segmentSlices(hu, rows, columns, "(slices in memory)", new StageTimer());
    }

    /**
     * The 2.5-D path: slice {@code z}'s mask from slices {@code z-h..z+h} as channels (lowest first, the end slices
     * repeated past the ends), {@code h} half the stack. Each slice is read and prepared once; the prepared planes
     * of one batch and its {@code 2h} neighbours are kept.
     */
    private byte[][] segmentStacks(int count, IntFunction<float[]> sliceHu, int rows, int columns, String seriesUid, StageTimer timer) {
        if (closed.get()) throw new IllegalStateException("segmenter for model " + spec.source().description() + " is closed");
        int k = ((ModelContract.InputLayout.Stack25d) spec.inputLayout()).slices();
        int half = k / 2;
        Letterbox box = Letterbox.plan(rows, columns, spec.inputSize());
        int plane = box.modelRows() * box.modelColumns();
        int batch = spec.batchSize();
        java.util.TreeMap<Integer, float[]> prepared = new java.util.TreeMap<>();
        FloatBuffer input = ByteBuffer.allocateDirect(batch * k * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        byte[][] masks = new byte[count][];
        for (int from = 0; from < count; from += batch) {
            int n = Math.min(batch, count - from);
            int fed = batchFixed ? batch : n;
            timer.start(StageTimer.Stage.PREPROCESS);
            prepared.headMap(from - half).clear();
            input.clear();
            for (int z = from; z < from + n; z++) {
                for (int c = -half; c <= half; c++) {
                    int source = Math.max(0, Math.min(count - 1, z + c));
                    input.put(prepared.computeIfAbsent(source, i -> {
                        float[] modelPlane = new float[plane];
                        box.toModel(SliceNormalizer.normalize(spec.normalization(), sliceHu.apply(i), rows, columns, seriesUid), modelPlane);
                        return modelPlane;
                    }));
                }
            }
            if (fed > n) input.put(new float[(fed - n) * k * plane]);
            input.flip();
            byte[][] modelMasks = run(input, fed, n, k, box, seriesUid, timer);
            for (int i = 0; i < n; i++) masks[from + i] = box.toSlice(modelMasks[i]);
            timer.stop();
        }
        return masks;
    }

    private byte[][] segmentGridAsIs(float[][] hu, int rows, int columns) {
        StageTimer timer = new StageTimer();
        float[][] planes = new float[hu.length][];
        for (int z = 0; z < hu.length; z++) planes[z] = hu[z].clone();
        normalizeVolume(planes, rows, columns, "(slices in memory)");
        return patches.get().segment(planes, rows, columns, "(slices in memory)", timer);
    }

    private static void checkSize(float[] slice, int rows, int columns) {
        if (slice.length != rows * columns) {
            throw new IllegalArgumentException("slice of " + slice.length + " values is not " + rows + "x" + columns);
        }
    }

    private byte[][] segmentSlices(float[][] hu, int rows, int columns, String seriesUid, StageTimer timer) {
        if (closed.get()) throw new IllegalStateException("segmenter for model " + spec.source().description() + " is closed");
        for (float[] slice : hu) {
            if (slice.length != rows * columns) {
                throw new IllegalArgumentException("slice of " + slice.length + " values is not " + rows + "x" + columns);
            }
        }
        Letterbox box = Letterbox.plan(rows, columns, spec.inputSize());
        int plane = box.modelRows() * box.modelColumns();
        byte[][] masks = new byte[hu.length][];
        int batch = spec.batchSize();
        FloatBuffer input = ByteBuffer.allocateDirect(batch * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] modelPlane = new float[plane];
        for (int from = 0; from < hu.length; from += batch) {
            int count = Math.min(batch, hu.length - from);
            // a model with dynamic batch gets exactly the slices; a fixed batch is filled with zero images
            int fed = batchFixed ? batch : count;
            timer.start(StageTimer.Stage.PREPROCESS);
            input.clear();
            for (int i = 0; i < count; i++) {
                float[] normalized = SliceNormalizer.normalize(spec.normalization(), hu[from + i], rows, columns, seriesUid);
                box.toModel(normalized, modelPlane);
                input.put(modelPlane);
            }
            if (fed > count) input.put(new float[(fed - count) * plane]);
            input.flip();
            byte[][] modelMasks = run(input, fed, count, 1, box, seriesUid, timer);
            for (int i = 0; i < count; i++) {
                masks[from + i] = box.toSlice(modelMasks[i]);
            }
            timer.stop();
        }
        return masks;
    }

    private byte[][] run(FloatBuffer input, int fed, int wanted, int inputChannels, Letterbox box, String seriesUid, StageTimer timer) {
        long[] shape = {fed, inputChannels, box.modelRows(), box.modelColumns()};
        timer.start(StageTimer.Stage.INFERENCE);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result result = session.run(Map.of(spec.inputName(), tensor), Set.of(spec.outputName()))) {
            timer.start(StageTimer.Stage.POSTPROCESS);
            OnnxValue value = result.get(0);
            if (!(value instanceof OnnxTensor out)) {
                throw new InferenceException("model " + spec.source().description() + ": output '" + spec.outputName() + "' is not a tensor");
            }
            long[] outShape = out.getInfo().getShape();
            int channels = checkOutputShape(outShape, fed, box, seriesUid);
            FloatBuffer scores = out.getFloatBuffer();
            int pixels = box.modelRows() * box.modelColumns();
            byte[][] masks = new byte[wanted][];
            for (int i = 0; i < wanted; i++) {
                masks[i] = decoder.decode(scores, i * channels * pixels, channels, pixels);
            }
            return masks;
        } catch (OrtException e) {
            throw new InferenceException("series " + seriesUid + ": ONNX Runtime failed on model " + spec.source().description()
                    + " with input " + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    private int checkOutputShape(long[] shape, int fed, Letterbox box, String seriesUid) {
        boolean ok;
        int channels;
        if (shape.length == 4) {
            channels = (int) shape[1];
            ok = shape[0] == fed && shape[2] == box.modelRows() && shape[3] == box.modelColumns()
                    && (spec.outputKind() == ModelContract.OutputKind.SOFTMAX ? channels == spec.labels().size() + 1 : channels == 1);
        } else {
            channels = 1;
            ok = shape.length == 3 && spec.outputKind() != ModelContract.OutputKind.SOFTMAX
                    && shape[0] == fed && shape[1] == box.modelRows() && shape[2] == box.modelColumns();
        }
        if (!ok) {
            throw new InferenceException("series " + seriesUid + ": model " + spec.source().description() + " returned output '"
                    + spec.outputName() + "' of shape " + Arrays.toString(shape) + " for input [" + fed + ",1," + box.modelRows()
                    + "," + box.modelColumns() + "]; expected [" + fed + "," + (spec.outputKind() == ModelContract.OutputKind.SOFTMAX
                    ? spec.labels().size() + 1 : 1) + "," + box.modelRows() + "," + box.modelColumns() + "]");
        }
        return channels;
    }

    /** Frees the native session. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new InferenceException("closing the session of model " + spec.source().description() + " failed", e);
            }
        }
    }

    private static void closeQuietly(OrtSession session, Exception primary) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "Segmenter[" + spec.source().description() + ", " + provider.kind() + "]";
    }
}
