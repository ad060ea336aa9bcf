package org.ctai.srwriter;

import java.util.Map;
import java.util.Objects;

/**
 * Where the lesions' segments live, for the SR's Referenced Segment items and its evidence list: the SEG
 * instance and, per lesion id, its segment number.
 */
public record SegReference(String sopClassUid, String sopInstanceUid, String seriesInstanceUid,
                           Map<Integer, Integer> segmentNumberByLesionId) {
    public SegReference {
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        segmentNumberByLesionId = Map.copyOf(segmentNumberByLesionId);
    }
}
