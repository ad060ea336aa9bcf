package org.ctai.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** A temporary folder for a benchmark's series and receivers, deleted with everything in it on close. */
final class ScratchFolder implements AutoCloseable {
    private final Path path;

    ScratchFolder(String prefix) throws IOException {
        this.path = Files.createTempDirectory(prefix);
    }

    Path path() {
        return path;
    }

    Path resolve(String other) {
        return path.resolve(other);
    }

    @Override
    public void close() throws IOException {
        delete(path);
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
