package org.ctai.srwriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs dicom3tools' {@code dciodvfy} (Debian package dicom3tools) on a file and splits what it says into errors
 * and warnings. Tests skip through {@link #available()} when it is not installed.
 */
final class Dciodvfy {

    private static final String EXECUTABLE = "/usr/bin/dciodvfy";

    /** What dciodvfy reported: the lines starting "Error" and "Warning", and the whole output. */
    record Report(List<String> errors, List<String> warnings, String output) {
    }

    private Dciodvfy() {
    }

    static boolean available() {
        return Files.isExecutable(Path.of(EXECUTABLE));
    }

    static Report check(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(EXECUTABLE, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("dciodvfy did not finish in 60 s on " + file);
        }
        List<String> lines = out.lines().toList();
        return new Report(lines.stream().filter(l -> l.startsWith("Error")).toList(),
                lines.stream().filter(l -> l.startsWith("Warning")).toList(), out);
    }
}
