package org.ctai.inference.segment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Says whether an NVIDIA GPU is visible to this process, without loading any CUDA library. */
interface GpuProbe {

    /** Empty when a GPU is visible; otherwise why not. */
    Optional<String> whyNoGpu();

    /** The device node the NVIDIA driver creates for the first GPU; present in containers given a GPU too. */
    GpuProbe DEVICE_NODE = () -> Files.exists(Path.of("/dev/nvidia0"))
            ? Optional.empty() : Optional.of("no NVIDIA GPU visible (/dev/nvidia0 absent)");
}
