package org.ctai.inference.measure;

import java.util.List;

/**
 * The patient's body along the table, one section per slice: where the body is and what it holds, in patient
 * coordinates (LPS, mm). Two studies of one patient are aligned by comparing their profiles (the viewer's
 * study alignment): the sections' shape along z says how far the patient lies further along the table, the
 * centroids how far they lie elsewhere in the slice plane.
 *
 * <p>The body on a slice is the largest 8-connected region of HU above {@value #BODY_THRESHOLD_HU} (the couch,
 * arms lying apart and air outside drop out; lungs and bowel gas are holes in it). Immutable.
 *
 * @param sections one per slice with a body, in slice order (increasing position along the slice normal)
 */
public record BodyProfile(List<Section> sections) {
    /** UNIT: HU. Tissue above it is body: fat is about -100, lung and air below -500. */
    public static final double BODY_THRESHOLD_HU = -300;
    /** UNIT: HU. Each pixel's HU is clamped to [-{@value}, +{@value}] for {@link Section#meanHu()}, so that bone and
     * contrast do not dominate the profile. */
    public static final double MEAN_HU_CLAMP = 200;

    public BodyProfile {
        sections = List.copyOf(sections);
    }

    /** No body measured (a caller without pixels, or a result written before the profile existed). */
    public static BodyProfile empty() {
        return new BodyProfile(List.of());
    }

    /**
     * The body on one slice.
     *
     * @param slice   slice index in the series
     * @param zMm     patient z (along the table) of the body's centroid
     * @param areaMm2 the body's area (its holes not counted)
     * @param xMm     patient x of the body's centroid
     * @param yMm     patient y of the body's centroid
     * @param meanHu  mean HU over the body, each pixel clamped to +-{@link #MEAN_HU_CLAMP}
     */
    public record Section(int slice, double zMm, double areaMm2, double xMm, double yMm, double meanHu) {
    }
}
