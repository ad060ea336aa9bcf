package org.ctai.srwriter;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.validate.DicomSRValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SR checkers the tests run: PixelMed's TID 1500 validator (in this JVM), DCMTK's {@code dsrdump}, and the
 * Node script that reads the SR with the OHIF viewer's adapters.
 */
final class SrTools {

    private static final Path DSRDUMP = Path.of("/usr/bin/dsrdump");
    private static final Path NODE = Path.of("/usr/bin/node");
    /** The Node project with dcmjs and @cornerstonejs/adapters; install with {@code npm ci --prefix sr-writer/src/test/js}. */
    static final Path JS = Path.of("src/test/js").toAbsolutePath();

    private static DicomSRValidator validator;

    private SrTools() {
    }

    /**
     * PixelMed's validation of the SR content against its templates, as {@code DicomSRValidator}'s main prints it,
     * with template-ID checking on. The XPath limits are lifted as DESIGN.md says (its rules exceed the JDK's
     * defaults); they are read when the validator's transformer is made, once per JVM.
     */
    static synchronized String pixelmedValidate(AttributeList list) throws Exception {
        if (validator == null) {
            System.setProperty("jdk.xml.xpathExprOpLimit", "0");
            System.setProperty("jdk.xml.xpathExprGrpLimit", "0");
            System.setProperty("jdk.xml.xpathTotalOpLimit", "0");
            validator = new DicomSRValidator();
            validator.setOptionCheckTemplateID(true);
        }
        return validator.validate(list);
    }

    /** The lines of a PixelMed validation that report errors (it says "Error:" for each). */
    static List<String> errors(String validation) {
        return validation.lines().filter(l -> l.contains("Error")).toList();
    }

    static boolean dsrdumpAvailable() {
        return Files.isExecutable(DSRDUMP);
    }

    static String dsrdump(Path file) throws IOException, InterruptedException {
        return run(List.of(DSRDUMP.toString(), "--print-template-id", "--print-long-values", file.toString()), 60);
    }

    static boolean adaptersAvailable() {
        return Files.isExecutable(NODE) && Files.isDirectory(JS.resolve("node_modules/@cornerstonejs/adapters"));
    }

    /**
     * Runs {@code read-sr.mjs} on an SR and the folder of its CT files; returns the JSON it prints.
     *
     * @throws IOException with the whole output when the script fails or prints no result
     */
    static String readWithAdapters(Path sr, Path ctFolder) throws IOException, InterruptedException {
        return readSr(sr, ctFolder, "CTAI-RESULT ");
    }

    /**
     * Runs {@code read-sr.mjs} and returns its measurements merged by Tracking Unique Identifier, as OHIF's SR
     * display merges the groups (JSON object: UID to tracking identifiers, NUMs and top-level SCOORDs).
     */
    static String measurementsByTrackingUid(Path sr, Path ctFolder) throws IOException, InterruptedException {
        return readSr(sr, ctFolder, "CTAI-MEASUREMENTS ");
    }

    private static String readSr(Path sr, Path ctFolder, String marker) throws IOException, InterruptedException {
        String out = run(List.of(NODE.toString(), JS.resolve("read-sr.mjs").toString(), sr.toString(), ctFolder.toString()), 120);
        return out.lines().filter(l -> l.startsWith(marker)).map(l -> l.substring(marker.length()))
                .findFirst().orElseThrow(() -> new IOException("read-sr.mjs printed no " + marker.trim() + ":\n" + out));
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) throw new IOException(command + " exited with " + p.exitValue() + ":\n" + out);
        return out;
    }
}
