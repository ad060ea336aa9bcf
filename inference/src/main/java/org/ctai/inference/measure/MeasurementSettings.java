package org.ctai.inference.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How masks become lesions, and how their texture is binned. Immutable and thread-safe.
 *
 * @param minComponentAreaMm2 lesions (3-D connected components) whose largest area on any slice is smaller
 *                            than this (mm2) are dropped after linking; 0 keeps everything. A small 2-D piece
 *                            that belongs to a larger lesion is kept.
 * @param connectivity        which voxels touch: within a slice and between adjacent slices
 * @param glgcmBinWidthHu     width of one gray level of the GLGCM, HU (see {@link TextureFeatures})
 * @param glgcmGradientBinWidthHuPerMm width of one gradient level of the GLGCM, HU/mm
 */
public record MeasurementSettings(double minComponentAreaMm2, Connectivity connectivity, double glgcmBinWidthHu,
                                  double glgcmGradientBinWidthHuPerMm) {

    /**
     * Default minimum lesion area, mm2: 10 mm2 is a disk of about 3.6 mm diameter, below what a CT
     * segmentation resolves reliably and far below the 10 mm longest diameter of a measurable lesion.
     */
    public static final double DEFAULT_MIN_COMPONENT_AREA_MM2 = 10.0;

    /** Default connectivity: {@link Connectivity#FULL_26}, the one that matches OpenCV's 8-connected contours. */
    public static final Connectivity DEFAULT_CONNECTIVITY = Connectivity.FULL_26;

    /**
     * Default GLGCM gray bin width, HU: 25 HU, PyRadiomics' default; PyRadiomics recommends a fixed bin
     * width over a fixed bin count, so that a level means the same HU in every study.
     */
    public static final double DEFAULT_GLGCM_BIN_WIDTH_HU = 25.0;

    /**
     * Default GLGCM gradient bin width, HU/mm: 5 HU/mm. PyRadiomics has no gradient matrix to follow; at
     * routine dose (about 10 HU noise, 0.75 mm pixels) noise alone gives 5-10 HU/mm, so noise fills the
     * first two levels and a lesion edge of 50 HU over 2 mm reaches about level 6; bone edges go higher.
     */
    public static final double DEFAULT_GLGCM_GRADIENT_BIN_WIDTH_HU_PER_MM = 5.0;

    /** Defaults: 10 mm2, 26-connectivity, 25 HU and 5 HU/mm GLGCM bins. */
    public static final MeasurementSettings DEFAULTS = new MeasurementSettings(DEFAULT_MIN_COMPONENT_AREA_MM2,
            DEFAULT_CONNECTIVITY, DEFAULT_GLGCM_BIN_WIDTH_HU, DEFAULT_GLGCM_GRADIENT_BIN_WIDTH_HU_PER_MM);

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

    /** With the default GLGCM bin widths. */
    public MeasurementSettings(double minComponentAreaMm2, Connectivity connectivity) {
        this(minComponentAreaMm2, connectivity, DEFAULT_GLGCM_BIN_WIDTH_HU, DEFAULT_GLGCM_GRADIENT_BIN_WIDTH_HU_PER_MM);
    }

    /** @throws IllegalArgumentException naming each bad value */
    public MeasurementSettings {
        List<String> problems = new ArrayList<>();
        if (!(minComponentAreaMm2 >= 0) || Double.isInfinite(minComponentAreaMm2)) {
            problems.add("minComponentAreaMm2 must be a finite number >= 0, was " + minComponentAreaMm2);
        }
        if (connectivity == null) problems.add("connectivity must be FACE_6 or FULL_26, was null");
        if (!(glgcmBinWidthHu > 0) || Double.isInfinite(glgcmBinWidthHu)) {
            problems.add("glgcmBinWidthHu must be a finite number > 0, was " + glgcmBinWidthHu);
        }
        if (!(glgcmGradientBinWidthHuPerMm > 0) || Double.isInfinite(glgcmGradientBinWidthHuPerMm)) {
            problems.add("glgcmGradientBinWidthHuPerMm must be a finite number > 0, was " + glgcmGradientBinWidthHuPerMm);
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    }

    /** A copy with another minimum lesion area, mm2. */
    public MeasurementSettings withMinComponentAreaMm2(double areaMm2) {
        return new MeasurementSettings(areaMm2, connectivity, glgcmBinWidthHu, glgcmGradientBinWidthHuPerMm);
    }

    /** A copy with another connectivity. */
    public MeasurementSettings withConnectivity(Connectivity newConnectivity) {
        return new MeasurementSettings(minComponentAreaMm2, Objects.requireNonNull(newConnectivity, "connectivity"),
                glgcmBinWidthHu, glgcmGradientBinWidthHuPerMm);
    }

    /** A copy with other GLGCM bin widths: gray levels in HU, gradient levels in HU/mm. */
    public MeasurementSettings withGlgcmBinWidths(double grayHu, double gradientHuPerMm) {
        return new MeasurementSettings(minComponentAreaMm2, connectivity, grayHu, gradientHuPerMm);
    }
}
