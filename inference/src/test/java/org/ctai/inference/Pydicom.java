package org.ctai.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real pydicom (Debian's python3-pydicom) in a child process as an independent reference
 * reader. Tests skip through {@link #python()} being empty when it is not installed.
 */
public final class Pydicom {

    /** What pydicom computes for one file: HU by its modality LUT, and which pixels equal Pixel Padding Value. */
    public record Reference(float[] hu, boolean[] padding) {
    }

    private static final String SCRIPT = String.join("\n",
            "import sys, numpy as np, pydicom",
            "from pydicom.pixel_data_handlers.util import apply_modality_lut",
            "ds = pydicom.dcmread(sys.argv[1])",
            "stored = ds.pixel_array",
            "hu = apply_modality_lut(stored, ds).astype('<f4').ravel()",
            "pad = np.zeros(stored.size, dtype='u1')",
            "if 'PixelPaddingValue' in ds: pad = (stored.ravel() == ds.PixelPaddingValue).astype('u1')",
            "sys.stdout.buffer.write(hu.tobytes()); sys.stdout.buffer.write(pad.tobytes())");

    private static final Optional<String> PYTHON = find();

    public static Optional<String> python() {
        return PYTHON;
    }

    private static Optional<String> find() {
        // Debian's interpreter first: a pyenv or venv python3 on PATH usually lacks the Debian packages
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import pydicom, numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(candidate);
            } catch (IOException e) {
                // not installed under this name; try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static Reference read(Path file, int pixels) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.orElseThrow(), "-c", SCRIPT, file.toString()).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        String err = new String(p.getErrorStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("pydicom failed on " + file + ": " + err);
        }
        if (out.length != pixels * 5) {
            throw new IOException("pydicom returned " + out.length + " bytes for " + pixels + " pixels: " + err);
        }
        ByteBuffer buffer = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        float[] hu = new float[pixels];
        buffer.asFloatBuffer().get(hu);
        boolean[] padding = new boolean[pixels];
        for (int i = 0; i < pixels; i++) padding[i] = out[4 * pixels + i] != 0;
        return new Reference(hu, padding);
    }

    private Pydicom() {
    }
}
