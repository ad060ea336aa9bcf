package org.ctai.inference.segment;

import org.ctai.inference.TestModels;
import org.ctai.inference.InferenceException;
import org.ctai.inference.model.ModelConfig;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.ctai.inference.model.ModelSpec.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Which execution provider runs, why, and that the choice is logged once. Runs on the CPU build of ONNX Runtime. */
class ExecutionProviderTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(SessionFactory.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(logged);
    }

    private static void assumeCpuBuild() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "this build carries the CUDA provider");
    }

    private static ModelConfig config(Device device) {
        return ModelConfig.builder().file(TestModels.THRESHOLD).device(device).build();
    }

    @Test
    void autoFallsBackToCpuOnAMachineWithoutGpuAndSaysSo() {
        assumeFalse(Files.exists(Path.of("/dev/nvidia0")), "this machine has a GPU");

        try (Segmenter segmenter = Segmenter.open(config(Device.AUTO))) {
            assertThat(segmenter.provider().kind()).isEqualTo(ExecutionProvider.Kind.CPU);
            assertThat(segmenter.provider().reason()).isEqualTo("device auto: no NVIDIA GPU visible (/dev/nvidia0 absent)");
            assertThat(segmenter.segmentSlices(new float[][] {{-5, 5}}, 1, 2)[0]).containsExactly(0, 1);
        }
        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("threshold_dynamic.onnx")
                .endsWith("execution provider CPU (device auto: no NVIDIA GPU visible (/dev/nvidia0 absent))");
    }

    @Test
    void autoFallsBackToCpuWithTheSameOptionsWhenTheCudaProviderFailsToStart() {
        assumeCpuBuild();
        GpuProbe gpuVisible = Optional::empty;

        try (Segmenter segmenter = Segmenter.open(config(Device.AUTO), gpuVisible)) {
            assertThat(segmenter.provider().kind()).isEqualTo(ExecutionProvider.Kind.CPU);
            assertThat(segmenter.provider().reason())
                    .startsWith("device auto: GPU visible but the CUDA provider did not start (")
                    .contains("CUDA");
            assertThat(segmenter.segmentSlices(new float[][] {{-5, 5}}, 1, 2)[0]).containsExactly(0, 1);
        }
        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("execution provider CPU (device auto: GPU visible but the CUDA provider did not start");
    }

    @Test
    void cudaRequiredButUnavailableFailsWithTheRemedy() {
        assumeCpuBuild();

        assertThatThrownBy(() -> Segmenter.open(config(Device.CUDA)))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("model.device=cuda but the CUDA provider did not start")
                .hasMessageContaining("./ctai build --gpu")
                .hasMessageContaining("model.device=auto or cpu");
    }

    @Test
    void cpuConfiguredRunsOnCpu() {
        try (Segmenter segmenter = Segmenter.open(config(Device.CPU))) {
            assertThat(segmenter.provider()).isEqualTo(new ExecutionProvider(ExecutionProvider.Kind.CPU, "device cpu configured"));
        }
    }
}
