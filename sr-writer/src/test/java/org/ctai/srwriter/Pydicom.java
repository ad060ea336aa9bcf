package org.ctai.srwriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scripts in {@code src/test/python} with Debian's python3 and pydicom (python3-pydicom), a reader we did
 * not write, and returns the JSON they print on their "CTAI-PYDICOM " line.
 */
final class Pydicom {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();
    private static final String MARKER = "CTAI-PYDICOM ";

    private Pydicom() {
    }

    static boolean available() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) return false;
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pydicom, numpy").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** {@code read_report.py} on an SR: its measurement groups. */
    static JsonNode readReport(Path sr) throws IOException, InterruptedException {
        return run("read_report.py", List.of(sr));
    }

    /** {@code read_objects.py}: per file, lossy compression and (SEG) spatial locations preserved. */
    static JsonNode readObjects(List<Path> files) throws IOException, InterruptedException {
        return run("read_objects.py", files);
    }

    private static JsonNode run(String script, List<Path> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPTS.resolve(script).toString()));
        for (Path f : files) command.add(f.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(script + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) throw new IOException(command + " exited with " + p.exitValue() + ":\n" + out);
        String line = out.lines().filter(l -> l.startsWith(MARKER)).findFirst()
                .orElseThrow(() -> new IOException(script + " printed no result:\n" + out));
        return new ObjectMapper().readTree(line.substring(MARKER.length()));
    }
}
