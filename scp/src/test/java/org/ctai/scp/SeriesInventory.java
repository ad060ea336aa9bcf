package org.ctai.scp;

import org.ctai.scp.queue.SeriesProcessor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Processing step until inference is plugged in: reads every instance of the series from the spool and
 * records what it found (instances, image sizes, modalities). A missing or unreadable file fails the job.
 */
final class SeriesInventory implements SeriesProcessor {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Processed process(SeriesJob job, Path resultsDir, Progress progress) throws ProcessingException {
        Map<String, Integer> sizes = new TreeMap<>();
        Map<String, Integer> modalities = new TreeMap<>();
        for (Path f : job.files()) {
            AttributeList list = new AttributeList();
            try {
                list.read(f.toFile());
            } catch (IOException | DicomException e) {
                throw new ProcessingException("cannot read " + f.getFileName() + " of series " + job.seriesUid() + ": " + e.getMessage(),
                        e instanceof java.io.FileNotFoundException || e instanceof java.nio.file.NoSuchFileException, e);
            }
            String size = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0) + "x"
                    + Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
            sizes.merge(size, 1, Integer::sum);
            modalities.merge(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.Modality), 1, Integer::sum);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kind", "inventory");
        result.put("instances", job.files().size());
        result.put("sizes", sizes);
        result.put("modalities", modalities);
        try {
            return new Processed(JSON.writeValueAsString(result), java.util.List.of());
        } catch (IOException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
    }
}
