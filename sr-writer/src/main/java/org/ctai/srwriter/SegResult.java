package org.ctai.srwriter;

import com.pixelmed.dicom.AttributeList;

import java.util.Map;
import java.util.Objects;

/**
 * A built DICOM Segmentation: the data set, ready to write as a Part 10 file (file meta included), where the
 * SR finds its segments ({@link SegReference}), and each lesion's tracking identifier and UID, by lesion id
 * ({@code Lesion.id()}). The data set is mutable PixelMed state: do not change it while another thread writes
 * it.
 */
public record SegResult(AttributeList dataset, SegReference reference, Map<Integer, LesionTracking> trackingByLesionId) {
    public SegResult {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(reference, "reference");
        trackingByLesionId = Map.copyOf(trackingByLesionId);
    }
}
