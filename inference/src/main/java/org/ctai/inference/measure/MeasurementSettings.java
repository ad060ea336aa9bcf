package org.ctai.inference.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How masks become lesions. Immutable and thread-safe.
 *
 * @param minComponentAreaMm2 2-D connected components of a slice's mask smaller than this area (mm2) are
 *                            dropped before lesions are formed; 0 keeps everything
 * @param connectivity        which voxels touch: within a slice and between adjacent slices
 */
public record MeasurementSettings(double minComponentAreaMm2, Connectivity connectivity) {

    /**
     * Default minimum component area, mm2: 10 mm2 is a disk of about 3.6 mm diameter, below what a CT
     * segmentation resolves reliably and far below the 10 mm longest diameter of a measurable lesion.
     */
    public static final double DEFAULT_MIN_COMPONENT_AREA_MM2 = 10.0;

    /** Default connectivity: {@link Connectivity#FULL_26}, the one that matches OpenCV's 8-connected contours. */
    public static final Connectivity DEFAULT_CONNECTIVITY = Connectivity.FULL_26;

    /** Defaults: {@value #DEFAULT_MIN_COMPONENT_AREA_MM2} mm2 and 26-connectivity. */
    public static final MeasurementSettings DEFAULTS =
            new MeasurementSettings(DEFAULT_MIN_COMPONENT_AREA_MM2, DEFAULT_CONNECTIVITY);

    /** Which neighbours of a voxel belong to the same lesion. */
    public enum Connectivity {
        /**
         * 6-connectivity: voxels sharing a face. Within a slice, 4-connected pixels (shared edge); between
         * adjacent slices, only the pixel at the same row and column.
         */
        FACE_6,
        /**
         * 26-connectivity: voxels sharing a face, an edge or a corner. Within a slice, 8-connected pixels;
         * between adjacent slices, the pixel at the same row and column and its 8 neighbours.
         */
        FULL_26
    }

    /** @throws IllegalArgumentException naming each bad value */
    public MeasurementSettings {
        List<String> problems = new ArrayList<>();
        if (!(minComponentAreaMm2 >= 0) || Double.isInfinite(minComponentAreaMm2)) {
            problems.add("minComponentAreaMm2 must be a finite number >= 0, was " + minComponentAreaMm2);
        }
        if (connectivity == null) problems.add("connectivity must be FACE_6 or FULL_26, was null");
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    }

    /** A copy with another minimum component area, mm2. */
    public MeasurementSettings withMinComponentAreaMm2(double areaMm2) {
        return new MeasurementSettings(areaMm2, connectivity);
    }

    /** A copy with another connectivity. */
    public MeasurementSettings withConnectivity(Connectivity newConnectivity) {
        return new MeasurementSettings(minComponentAreaMm2, Objects.requireNonNull(newConnectivity, "connectivity"));
    }
}
