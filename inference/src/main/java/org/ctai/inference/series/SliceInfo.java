package org.ctai.inference.series;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One slice of a {@link Volume}: the instance it came from and where it lies. {@code position} is
 * Image Position (Patient), mm; {@code file} is where its pixels are read from. Immutable.
 */
public record SliceInfo(String sopInstanceUid, String sopClassUid, Path file, Vector3 position) {

    public SliceInfo {
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(position, "position");
    }
}
