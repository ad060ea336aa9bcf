package org.ctai.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.ModelSpec.ModelSource;

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
        ModelSource source = config.file().<ModelSource>map(ModelSource.OnnxFile::new).orElse(ModelSource.DEFAULT);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ModelSpec.Device device = config.device();
        SessionFactory.Opened opened = SessionFactory.open(env, source, device, config.threads().orElse(0), probe);
        try {
            OrtSession session = opened.session();
            ModelConfig metadata = ModelConfig.fromMetadata(session.getMetadata().getCustomMetadata(), source.description());
            List<TensorSignature> inputs = session.getInputInfo().values().stream().map(TensorSignature::of).toList();
            List<TensorSignature> outputs = session.getOutputInfo().values().stream().map(TensorSignature::of).toList();
            ModelSpec spec = SpecResolver.resolve(source, config.over(metadata), inputs, outputs);
            log.info("model {}: input '{}' {}, {}, output '{}' {}{}, labels {}, batch {}, {} threads", source.description(),
                    spec.inputName(), spec.inputSize(), spec.normalization(), spec.outputName(), spec.outputKind().key(),
                    spec.outputKind() == ModelSpec.OutputKind.SOFTMAX ? "" : " >= " + spec.threshold(), spec.labels(),
                    spec.batchSize(), spec.threads() == 0 ? "default" : spec.threads());
            boolean batchFixed = inputs.stream().filter(t -> t.name().equals(spec.inputName())).findFirst()
                    .map(t -> t.fixed(0)).orElse(false);
            return new Segmenter(env, session, spec, opened.provider(), batchFixed, ModelDigest.sha256(source));
        } catch (OrtException e) {
            closeQuietly(opened.session(), e);
            throw new InferenceException("model " + source.description() + ": cannot read its inputs, outputs or metadata: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(opened.session(), e);
            throw e;
        }
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
        Objects.requireNonNull(sink, "sink");
        Geometry g = volume.geometry();
        for (int from = 0; from < volume.sliceCount(); from += spec.batchSize()) {
            int to = Math.min(volume.sliceCount(), from + spec.batchSize());
            float[][] hu = volume.readSlices(from, to);
            byte[][] masks = segmentSlices(hu, g.rows(), g.columns(), volume.seriesInstanceUid());
            for (int i = 0; i < hu.length; i++) {
                sink.accept(from + i, hu[i], masks[i]);
            }
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
        return segmentSlices(hu, rows, columns, "(slices in memory)");
    }

    private byte[][] segmentSlices(float[][] hu, int rows, int columns, String seriesUid) {
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
            input.clear();
            for (int i = 0; i < count; i++) {
                float[] normalized = SliceNormalizer.normalize(spec.normalization(), hu[from + i], rows, columns, seriesUid);
                box.toModel(normalized, modelPlane);
                input.put(modelPlane);
            }
            if (fed > count) input.put(new float[(fed - count) * plane]);
            input.flip();
            byte[][] modelMasks = run(input, fed, count, box, seriesUid);
            for (int i = 0; i < count; i++) {
                masks[from + i] = box.toSlice(modelMasks[i]);
            }
        }
        return masks;
    }

    private byte[][] run(FloatBuffer input, int fed, int wanted, Letterbox box, String seriesUid) {
        long[] shape = {fed, 1, box.modelRows(), box.modelColumns()};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result result = session.run(Map.of(spec.inputName(), tensor), Set.of(spec.outputName()))) {
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
                    && (spec.outputKind() == ModelSpec.OutputKind.SOFTMAX ? channels == spec.labels().size() + 1 : channels == 1);
        } else {
            channels = 1;
            ok = shape.length == 3 && spec.outputKind() != ModelSpec.OutputKind.SOFTMAX
                    && shape[0] == fed && shape[1] == box.modelRows() && shape[2] == box.modelColumns();
        }
        if (!ok) {
            throw new InferenceException("series " + seriesUid + ": model " + spec.source().description() + " returned output '"
                    + spec.outputName() + "' of shape " + Arrays.toString(shape) + " for input [" + fed + ",1," + box.modelRows()
                    + "," + box.modelColumns() + "]; expected [" + fed + "," + (spec.outputKind() == ModelSpec.OutputKind.SOFTMAX
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
