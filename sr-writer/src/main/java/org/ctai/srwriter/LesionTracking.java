package org.ctai.srwriter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.measure.Lesion;

/**
 * How one lesion is tracked across the result objects: the SEG segment's Tracking ID and Tracking UID, and the
 * SR measurement groups' Tracking Identifier and Tracking Unique Identifier, which must be the same so that a
 * viewer links a segment to its measurements. Assign them once per analysis ({@link #assign}) and give the same
 * map to the SEG and SR writers. Immutable.
 *
 * @param identifier human-readable, for example "Tumour 1" (DICOM UT in the SR, LO in the SEG: at most 64 characters)
 * @param uid        a UID (at most 64 characters, digits and dots)
 * @param label      the model label the lesion is of, when the model has several (its codes go into the SEG segment
 *                   and the SR's Finding and Finding Site); empty for a one-label model, whose label the writer knows
 */
public record LesionTracking(String identifier, String uid, Optional<SegmentLabel> label) {

    /** Prefix of the identifiers {@link #assign} gives: "Tumour 1", "Tumour 2", ... as the SEG's segment labels. */
    public static final String IDENTIFIER_PREFIX = "Tumour ";

    public LesionTracking(String identifier, String uid) {
        this(identifier, uid, Optional.empty());
    }

    public LesionTracking {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(uid, "uid");
        if (identifier.isBlank() || identifier.length() > 64) {
            throw new IllegalArgumentException("tracking identifier must be 1..64 characters, was '" + identifier + "'");
        }
        if (!uid.matches("[0-9]+(\\.[0-9]+)*") || uid.length() > 64) {
            throw new IllegalArgumentException("tracking UID must be a DICOM UID, was '" + uid + "'");
        }
    }

    /**
     * New tracking for each lesion, by {@link Lesion#id()}: identifier {@value #IDENTIFIER_PREFIX} + id, and a
     * fresh UID. Iteration order is the lesions' order.
     */
    public static Map<Integer, LesionTracking> assign(List<Lesion> lesions) {
        Map<Integer, LesionTracking> tracking = new LinkedHashMap<>();
        for (Lesion lesion : lesions) {
            tracking.put(lesion.id(), new LesionTracking(IDENTIFIER_PREFIX + lesion.id(), CommonModules.newUid()));
        }
        return Map.copyOf(tracking);
    }

    /**
     * As {@link #assign(List)} for a one-label analysis. With several labels each lesion carries its label and is
     * called by the label's name and its id ("Hyperdense lesion 3").
     */
    static Map<Integer, LesionTracking> assign(Analysis analysis) {
        if (analysis.byLabel().size() <= 1) return assign(analysis.lesions());
        Map<Integer, LesionTracking> tracking = new LinkedHashMap<>();
        for (Lesion lesion : analysis.lesions()) {
            SegmentLabel label = analysis.labelOf(lesion.id());
            String number = " " + lesion.id();
            String name = label.name().length() + number.length() > 64 ? label.name().substring(0, 64 - number.length()) : label.name();
            tracking.put(lesion.id(), new LesionTracking(name + number, CommonModules.newUid(), Optional.of(label)));
        }
        return Map.copyOf(tracking);
    }
}
