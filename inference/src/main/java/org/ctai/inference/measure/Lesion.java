package org.ctai.inference.measure;

import org.ctai.inference.series.Vector3;

import java.util.List;
import java.util.Objects;

/**
 * One lesion: a 3-D connected component of the cleaned masks (see {@link MeasurementSettings}).
 *
 * <p>The volume is the sum over its slices of the lesion's area times the slice's own slab depth (midpoint
 * rule): halfway to the previous slice plus halfway to the next, so unevenly spaced series integrate each
 * part with its real spacing. At a series end, or next to a gap (a distance more than 1.5 times both
 * neighbouring distances, as when a slice is missing), a slice reaches as far as on its other side: no
 * volume is counted inside a gap, and no lesion is linked across one. A lone slice uses the DICOM Slice
 * Thickness the caller gave. The centroid weighs each slice by that volume.
 *
 * @param id                   1-based number in the series; lesions are numbered by decreasing volume
 * @param firstSlice           first slice index with lesion voxels (0-based, series slice order)
 * @param lastSlice            last slice index with lesion voxels
 * @param volumeMm3            volume, mm3
 * @param volumeMl             volume, mL (= cm3)
 * @param largestAreaMm2       largest area on one slice, mm2
 * @param largestAreaSlice     slice index with the largest area (the first one on a tie)
 * @param longestDiameterMm    longest in-plane (axial) diameter over all slices, mm
 * @param longestDiameterSlice slice index of the longest diameter (the first one on a tie)
 * @param shortAxisMm          short axis on the slice of the longest diameter, perpendicular to it (RECIST), mm
 * @param centroidMm           centre of mass of the voxels, patient coordinates (LPS), mm
 * @param hu                   HU statistics over all voxels of the lesion
 * @param slices               per-slice measurements, in slice order, one per slice from first to last
 */
public record Lesion(int id, int firstSlice, int lastSlice, double volumeMm3, double volumeMl,
                     double largestAreaMm2, int largestAreaSlice, double longestDiameterMm,
                     int longestDiameterSlice, double shortAxisMm, Vector3 centroidMm, HuStatistics hu,
                     List<SliceMeasurement> slices) {

    public Lesion {
        Objects.requireNonNull(centroidMm, "centroidMm");
        Objects.requireNonNull(hu, "hu");
        slices = List.copyOf(slices);
    }

    /** The same lesion under another number (lesions of several labels numbered in one sequence). */
    public Lesion withId(int newId) {
        return new Lesion(newId, firstSlice, lastSlice, volumeMm3, volumeMl, largestAreaMm2, largestAreaSlice, longestDiameterMm,
                longestDiameterSlice, shortAxisMm, centroidMm, hu, slices);
    }
}
