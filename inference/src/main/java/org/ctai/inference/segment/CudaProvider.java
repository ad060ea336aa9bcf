package org.ctai.inference.segment;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The only place that touches ONNX Runtime's CUDA provider, so the GPU path stays small. It needs the
 * {@code onnxruntime_gpu} artifact ({@code ./ctai build --gpu}) and CUDA 12 + cuDNN 9 libraries on the
 * library path; with the CPU artifact {@code addCUDA} fails at once ("Failed to find CUDA shared
 * provider"), and with the GPU artifact but no CUDA libraries after about 7 s (it unpacks the
 * provider, then misses libcublasLt.so.12). Either way the options stay usable for a CPU session.
 */
final class CudaProvider {

    static final int DEVICE_ID = 0;

    private CudaProvider() {
    }

    static void add(OrtSession.SessionOptions options) throws OrtException {
        options.addCUDA(DEVICE_ID);
    }
}
