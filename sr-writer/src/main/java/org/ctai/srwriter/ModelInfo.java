package org.ctai.srwriter;

import org.ctai.inference.segment.Segmenter;

import java.util.Objects;

/**
 * The algorithm that produced the results, as SEG (Segment Algorithm Name/Version) and SR (device observer)
 * report it: the model's name and a version that identifies the exact model file (for example the first 16
 * hex digits of its SHA-256), and the node's own software version.
 */
public record ModelInfo(String name, String version, String softwareVersion) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(softwareVersion, "softwareVersion");
    }

    /** Hex digits of the model's SHA-256 that {@link #of} puts in the version: 64 bits, plenty to tell models apart. */
    public static final int VERSION_HEX_DIGITS = 16;

    /**
     * The model an open segmenter runs: its name is the model file's name (for the bundled model, the
     * resource's), its version {@code sha256:} and the first {@value #VERSION_HEX_DIGITS} hex digits of the
     * model's SHA-256 ({@link Segmenter#modelSha256()}). A name longer than 64 characters (DICOM LO) is cut.
     */
    public static ModelInfo of(Segmenter segmenter, String softwareVersion) {
        String path = segmenter.spec().source().location();
        String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        if (name.length() > 64) name = name.substring(0, 64);
        return new ModelInfo(name, "sha256:" + segmenter.modelSha256().substring(0, VERSION_HEX_DIGITS), softwareVersion);
    }
}
