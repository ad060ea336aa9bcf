package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;

import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Finds the lesions of a segmented series and measures them in physical units.
 *
 * <p>Steps: each slice's mask is split into 2-D connected components; these are joined across adjacent,
 * contiguous slices (not across a gap in the series, see {@link Lesion}) into 3-D lesions with the settings'
 * connectivity; lesions whose largest area on any slice is below
 * {@link MeasurementSettings#minComponentAreaMm2()} are dropped; then each lesion is measured on each of its
 * slices from the slice's HU (see {@link SliceMeasurement}, {@link HuStatistics}, {@link TextureFeatures}) and as a
 * whole (see {@link Lesion}). No lesion is a normal result: an empty list.
 *
 * <p>Two ways to give the HU. {@link #measure} pulls them one slice at a time through a function, only for
 * slices that hold lesions. {@link #start} returns a {@link MeasurementRun} to push them into, in batches,
 * for callers whose HU come from a loader in batches. Either way, all masks are held (one byte per voxel)
 * but never more than one HU slice at a time.
 *
 * <p>Masks are row-major, {@code rows * columns} long, one per slice of the geometry, in its slice order;
 * any non-zero byte is lesion. They are read during {@code start} and not kept.
 *
 * <p>Immutable and thread-safe; each run it starts is for one thread.
 */
public final class LesionMeasurer {

    static {
        nu.pattern.OpenCV.loadLocally();
    }

    private final MeasurementSettings settings;

    public LesionMeasurer(MeasurementSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** With {@link MeasurementSettings#DEFAULTS}. */
    public LesionMeasurer() {
        this(MeasurementSettings.DEFAULTS);
    }

    public MeasurementSettings settings() {
        return settings;
    }

    /**
     * Labels the lesions in the masks and returns the run that measures them once it has their HU.
     *
     * @param geometry         rows, columns, pixel spacing, orientation and slice positions of the series
     * @param sliceThicknessMm DICOM Slice Thickness, the depth of a lone slice (a single-slice series, or a
     *                         slice with gaps on both sides); NaN when unknown. Other slices reach halfway to
     *                         their neighbours (see {@link Lesion})
     * @param masks            one mask per slice of {@code geometry}
     * @throws IllegalArgumentException when the masks do not fit the geometry, or a lone slice has no
     *                                  positive finite slice thickness
     */
    public MeasurementRun start(Geometry geometry, double sliceThicknessMm, List<byte[]> masks) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(masks, "masks");
        int slices = geometry.slicePositions().size();
        if (masks.size() != slices) {
            throw new IllegalArgumentException("got " + masks.size() + " masks for " + slices + " slices");
        }
        int pixels = geometry.rows() * geometry.columns();
        for (int z = 0; z < masks.size(); z++) {
            byte[] mask = Objects.requireNonNull(masks.get(z), "mask of slice " + z);
            if (mask.length != pixels) {
                throw new IllegalArgumentException("mask of slice " + z + " has " + mask.length + " values, expected "
                        + pixels + " (" + geometry.rows() + " rows x " + geometry.columns() + " columns)");
            }
        }
        SliceSlabs slabs = SliceSlabs.of(geometry, sliceThicknessMm);
        return new MeasurementRun(geometry, slabs, settings, new LesionLabeller(settings).label(geometry, masks, slabs));
    }

    /**
     * Labels and measures in one call, asking {@code huOfSlice} for the HU of each slice that holds a lesion,
     * in ascending slice order, once each.
     *
     * @param huOfSlice returns the HU of a slice (row-major, {@code rows * columns}); not kept after use
     * @return the lesions, numbered by decreasing volume; empty when there are none
     * @see #start(Geometry, double, List)
     */
    public List<Lesion> measure(Geometry geometry, double sliceThicknessMm, List<byte[]> masks,
                                IntFunction<short[]> huOfSlice) {
        Objects.requireNonNull(huOfSlice, "huOfSlice");
        MeasurementRun run = start(geometry, sliceThicknessMm, masks);
        for (int slice : run.slicesNeedingHu()) run.addHu(slice, huOfSlice.apply(slice));
        return run.finish();
    }
}
