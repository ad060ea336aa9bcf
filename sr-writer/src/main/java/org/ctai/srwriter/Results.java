package org.ctai.srwriter;

import com.pixelmed.dicom.AttributeList;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The DICOM objects built for one analysed series, each ready to write as a Part 10 file.
 *
 * @param seg      the Segmentation; empty when no lesion was found
 * @param sr       the TID 1500 measurement report; always written, it says so when no lesion was found
 * @param overlays Secondary Captures, one per lesion in lesion order; empty when none was found or overlays are off
 */
public record Results(Optional<SegResult> seg, AttributeList sr, List<AttributeList> overlays) {
    public Results {
        Objects.requireNonNull(seg, "seg");
        Objects.requireNonNull(sr, "sr");
        overlays = List.copyOf(overlays);
    }
}
