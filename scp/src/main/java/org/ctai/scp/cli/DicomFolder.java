package org.ctai.scp.cli;

import com.pixelmed.dicom.DicomFileUtilities;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The DICOM files the commands are pointed at: files named as given, and inside folders (walked, sorted) only the files
 * PixelMed recognises as DICOM, so a phantom's PNG masks and truth.json are passed over.
 */
record DicomFolder(List<Path> files, List<Path> skipped) {

    static DicomFolder of(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.isDirectory(path)) {
                files.add(path);
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    if (DicomFileUtilities.isDicomOrAcrNemaFile(f.toFile())) files.add(f);
                    else skipped.add(f);
                }
            }
        }
        return new DicomFolder(List.copyOf(files), List.copyOf(skipped));
    }
}
