package org.ctai.inference.segment;

import org.ctai.inference.InferenceException;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.model.ModelSpec.Device;
import org.ctai.inference.model.ModelSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

/**
 * Creates the ONNX Runtime session for a model on the configured device, and says which provider
 * runs it and why, in one log line. Stateless.
 */
final class SessionFactory {

    private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);

    /** A session and the provider it runs on. */
    record Opened(OrtSession session, ExecutionProvider provider) {
    }

    /** Makes a session of the model with the given options. */
    private interface ModelLoader {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    private SessionFactory() {
    }

    static Opened open(OrtEnvironment env, ModelSource source, Device device, int threads, GpuProbe probe) {
        ModelLoader loader = loader(env, source);
        Opened opened = switch (device) {
            case CPU -> cpu(source, loader, options(threads), "device cpu configured");
            case CUDA -> cuda(source, loader, threads);
            case AUTO -> auto(source, loader, threads, probe);
        };
        log.info("model {}: execution provider {} ({})", source.description(), opened.provider().kind(), opened.provider().reason());
        return opened;
    }

    private static Opened auto(ModelSource source, ModelLoader loader, int threads, GpuProbe probe) {
        var noGpu = probe.whyNoGpu();
        if (noGpu.isPresent()) {
            return cpu(source, loader, options(threads), "device auto: " + noGpu.get());
        }
        OrtSession.SessionOptions options = options(threads);
        try {
            CudaProvider.add(options);
        } catch (OrtException | RuntimeException e) {
            // ORT leaves the options usable: the same options make a CPU session
            return cpu(source, loader, options, "device auto: GPU visible but the CUDA provider did not start ("
                    + firstLine(e) + "; this ONNX Runtime offers " + OrtEnvironment.getAvailableProviders() + ")");
        }
        try (options) {
            return new Opened(loader.create(options), new ExecutionProvider(ExecutionProvider.Kind.CUDA,
                    "device auto: GPU visible, CUDA provider started on device " + CudaProvider.DEVICE_ID));
        } catch (OrtException e) {
            return cpu(source, loader, options(threads),
                    "device auto: CUDA provider added but the session failed on it (" + firstLine(e) + ")");
        }
    }

    private static Opened cuda(ModelSource source, ModelLoader loader, int threads) {
        try (OrtSession.SessionOptions options = options(threads)) {
            CudaProvider.add(options);
            return new Opened(loader.create(options), new ExecutionProvider(ExecutionProvider.Kind.CUDA,
                    "device cuda configured, CUDA provider started on device " + CudaProvider.DEVICE_ID));
        } catch (OrtException | RuntimeException e) {
            throw new InferenceException("model " + source.description() + ": model.device=cuda but the CUDA provider did not start ("
                    + firstLine(e) + "; this ONNX Runtime offers " + OrtEnvironment.getAvailableProviders()
                    + "). Build with ./ctai build --gpu and install CUDA 12 + cuDNN 9, or set model.device=auto or cpu", e);
        }
    }

    private static Opened cpu(ModelSource source, ModelLoader loader, OrtSession.SessionOptions options, String reason) {
        try (options) {
            return new Opened(loader.create(options), new ExecutionProvider(ExecutionProvider.Kind.CPU, reason));
        } catch (OrtException e) {
            throw new InferenceException("model " + source.description() + " cannot be loaded by ONNX Runtime: " + firstLine(e), e);
        }
    }

    private static OrtSession.SessionOptions options(int threads) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (threads > 0) options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            return options;
        } catch (OrtException e) {
            options.close();
            throw new InferenceException("ONNX Runtime session options rejected: " + e.getMessage(), e);
        }
    }

    private static ModelLoader loader(OrtEnvironment env, ModelSource source) {
        return options -> source.openSession(env, options);
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
