package org.ctai.srwriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Independent readers of our SEG, run as child processes: pydicom (Debian's python3-pydicom) and the OHIF
 * viewer's own libraries ({@code @cornerstonejs/adapters} + {@code dcmjs} under {@code src/test/js}, installed
 * with {@code npm ci --prefix sr-writer/src/test/js}). Tests skip when a reader is not installed.
 */
final class SegReaders {

    /** One SEG frame as pydicom decodes it. */
    record PydicomFrame(String referencedSopInstanceUid, int segmentNumber, byte[] mask) {
    }

    /** What pydicom reads from a SEG: Patient's Name as text, Specific Character Set, and every frame. */
    record PydicomSeg(String patientName, String specificCharacterSet, List<PydicomFrame> frames) {
    }

    /** Voxel counts the OHIF adapters find, per segment number and per source SOP Instance UID. */
    record OhifSeg(Map<Integer, String> labels, Map<Integer, Map<String, Integer>> voxelsBySop) {
    }

    private static final Path JS = Path.of("src/test/js");

    /** Prints one line of header, then per frame: sop uid, segment number, packed bits (LSB first) in hex. */
    private static final String PYDICOM_SCRIPT = String.join("\n",
            "import sys, numpy as np, pydicom",
            "ds = pydicom.dcmread(sys.argv[1])",
            "arr = ds.pixel_array",
            "arr = arr[None] if arr.ndim == 2 else arr",
            "out = sys.stdout",
            "out.write(str(ds.PatientName).encode('utf-8').hex() + '\\t' + str(ds.get('SpecificCharacterSet', '')) + '\\n')",
            "for i, f in enumerate(ds.PerFrameFunctionalGroupsSequence):",
            "    sop = f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID",
            "    seg = f.SegmentIdentificationSequence[0].ReferencedSegmentNumber",
            "    bits = np.packbits(arr[i].ravel().astype('u1'), bitorder='little')",
            "    out.write(sop + '\\t' + str(seg) + '\\t' + bits.tobytes().hex() + '\\n')");

    private SegReaders() {
    }

    static Optional<String> python() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import pydicom, numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(candidate);
            } catch (IOException e) {
                // not under this name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static boolean ohifAdaptersInstalled() {
        if (!Files.isDirectory(JS.resolve("node_modules/@cornerstonejs/adapters"))) return false;
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static PydicomSeg pydicom(Path seg, int rows, int columns) throws IOException, InterruptedException {
        String out = run(List.of(python().orElseThrow(), "-c", PYDICOM_SCRIPT, seg.toString()), null);
        List<String> lines = out.lines().toList();
        String[] header = lines.get(0).split("\t", -1);
        String name = new String(hex(header[0]), StandardCharsets.UTF_8);
        List<PydicomFrame> frames = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            byte[] packed = hex(f[2]);
            byte[] mask = new byte[rows * columns];
            for (int i = 0; i < mask.length; i++) mask[i] = (byte) ((packed[i >>> 3] >>> (i & 7)) & 1);
            frames.add(new PydicomFrame(f[0], Integer.parseInt(f[1]), mask));
        }
        return new PydicomSeg(name, header[1], frames);
    }

    static OhifSeg ohif(Path seg, List<Path> sourceImages) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "seg-voxels.mjs", seg.toAbsolutePath().toString()));
        for (Path p : sourceImages) command.add(p.toAbsolutePath().toString());
        String json = run(command, JS);
        // {"segments":{"1":{"label":"Tumour 1","voxels":473,"bySopInstanceUid":{"2.25...":80,...}},...},"overlapping":false}
        Map<Integer, String> labels = new HashMap<>();
        Map<Integer, Map<String, Integer>> voxels = new HashMap<>();
        Matcher segment = Pattern.compile("\"(\\d+)\":\\{\"label\":(null|\"[^\"]*\"),\"voxels\":\\d+,\"bySopInstanceUid\":\\{([^}]*)}}")
                .matcher(json);
        while (segment.find()) {
            int number = Integer.parseInt(segment.group(1));
            labels.put(number, segment.group(2).replace("\"", ""));
            Map<String, Integer> bySop = new HashMap<>();
            Matcher entry = Pattern.compile("\"([0-9.]+)\":(\\d+)").matcher(segment.group(3));
            while (entry.find()) bySop.put(entry.group(1), Integer.parseInt(entry.group(2)));
            voxels.put(number, bySop);
        }
        if (labels.isEmpty() && !json.contains("\"segments\":{}")) throw new IOException("unexpected output: " + json);
        return new OhifSeg(labels, voxels);
    }

    private static String run(List<String> command, Path directory) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) builder.directory(directory.toFile());
        Path err = Files.createTempFile("seg-reader", ".err");
        builder.redirectError(err.toFile());
        try {
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command.subList(0, 2)) + " failed (" + p.exitValue() + "): "
                        + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}
