package org.ctai.inference.phantom;

import java.nio.file.Path;
import java.util.List;

/**
 * Where {@link PhantomGenerator#write} put a phantom: one DICOM file and one truth mask per slice,
 * in slice order (lowest slice first), and the truth summary.
 */
public record PhantomFiles(Path directory, List<Path> images, List<Path> masks, Path truth) {

    public PhantomFiles {
        images = List.copyOf(images);
        masks = List.copyOf(masks);
    }
}
