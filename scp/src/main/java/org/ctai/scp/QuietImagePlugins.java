package org.ctai.scp;

import java.io.PrintStream;

/**
 * Keeps PixelMed's JPEG lossless ImageIO plugin (Debian {@code libpixelmed-imageio-java} 20200328) off standard error.
 * Its {@code JPEGLosslessImageReaderSpi.canDecodeInput} prints {@code "JPEGLosslessImageReaderSpi.canDecodeInput() = false"}
 * with {@code System.err.println} every time ImageIO asks it whether it can read a stream, which ImageIO does for every
 * {@code ImageIO.read} and {@code getImageReaders(input)} of any image (the overlays' PNGs included), so the node's log
 * filled with a line that is not ours. The plugin has no switch for it, and replacing its provider in ImageIO's registry
 * does not last: PixelMed's {@code CompressedFrameDecoder} calls {@code ImageIO.scanForPlugins()} in every constructor,
 * that is for every compressed frame, which registers the plugin's own provider again. So {@link #install()} puts a
 * {@link PrintStream} in front of {@code System.err} that drops exactly that line ({@code println} of a string starting
 * with {@value #NOISE}) and passes everything else through unchanged. Thread-safe and idempotent.
 */
public final class QuietImagePlugins {
    /** The start of the only line dropped. */
    static final String NOISE = "JPEGLosslessImageReaderSpi.canDecodeInput() = ";

    private QuietImagePlugins() {
    }

    /** Call once at the start of a command or node, before any image is read; later calls do nothing. */
    public static synchronized void install() {
        if (!(System.err instanceof WithoutPluginNoise)) System.setErr(new WithoutPluginNoise(System.err));
    }

    /** {@code System.err} less the plugin's debug line. */
    static final class WithoutPluginNoise extends PrintStream {
        WithoutPluginNoise(PrintStream err) {
            super(err, true);
        }

        @Override
        public void println(String line) {
            // the plugin prints with println(String) only (JPEGLosslessImageReaderSpi.canDecodeInput, pixelmed-imageio 20200328)
            if (line != null && line.startsWith(NOISE)) return;
            super.println(line);
        }
    }
}
