package org.ctai.srwriter;

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
}
