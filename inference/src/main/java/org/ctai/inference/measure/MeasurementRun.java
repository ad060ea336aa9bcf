package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The measurement of one series whose lesions are already known from its masks, waiting for the HU of
 * the slices that hold lesions. Feed {@link #addHu} once for each slice of {@link #slicesNeedingHu()}, in any
 * order and in batches of any size (HU of other slices are accepted and ignored), then call {@link #finish()}.
 * Memory: the lesions' footprints (bounded by the lesion pixels), one HU histogram per lesion, and the
 * slice measurements; no HU slice is kept after {@code addHu} returns.
 *
 * <p>Not thread-safe: one thread feeds a run, or callers synchronise.
 */
public final class MeasurementRun {

    private final Geometry geometry;
    private final SliceSlabs slabs;
    private final MeasurementSettings settings;
    private final List<List<Footprint>> footprints;
    private final LesionAccumulator[] lesions;
    private final boolean[] measured;
    private List<Lesion> result;

    MeasurementRun(Geometry geometry, SliceSlabs slabs, MeasurementSettings settings, LesionLabeller.LesionMap map) {
        this.geometry = geometry;
        this.slabs = slabs;
        this.settings = settings;
        this.footprints = map.bySlice();
        this.lesions = new LesionAccumulator[map.lesionCount()];
        for (int i = 0; i < lesions.length; i++) lesions[i] = new LesionAccumulator();
        this.measured = new boolean[footprints.size()];
    }

    /** Number of lesions found in the masks. */
    public int lesionCount() {
        return lesions.length;
    }

    /**
     * Slice indices {@code z} (ascending) where slices {@code z} and {@code z + 1} are more than
     * 1.5 times as far apart as their neighbours: lesions are not linked across, nor is volume counted in
     * between. Empty for an evenly spaced series.
     */
    public int[] gapsAfterSlices() {
        return slabs.gapsAfter();
    }

    /** Indices (ascending) of the slices with lesion pixels: the HU that {@link #finish()} needs. */
    public int[] slicesNeedingHu() {
        return IntStream.range(0, footprints.size()).filter(z -> !footprints.get(z).isEmpty()).toArray();
    }

    /**
     * Measures the lesions on one slice.
     *
     * @param slice 0-based slice index in the geometry's slice order
     * @param hu    the slice's HU, row-major, {@code rows * columns} long; not kept
     * @throws IllegalArgumentException for a slice index out of range or an array of the wrong length
     * @throws IllegalStateException    when the slice was already measured or the run is finished
     */
    public void addHu(int slice, short[] hu) {
        Objects.requireNonNull(hu, "hu");
        if (slice < 0 || slice >= footprints.size()) {
            throw new IllegalArgumentException("slice " + slice + " is outside 0.." + (footprints.size() - 1));
        }
        int expected = geometry.rows() * geometry.columns();
        if (hu.length != expected) {
            throw new IllegalArgumentException("HU of slice " + slice + " has " + hu.length + " values, expected "
                    + expected + " (" + geometry.rows() + " rows x " + geometry.columns() + " columns)");
        }
        if (result != null) throw new IllegalStateException("measurement already finished, slice " + slice + " came late");
        List<Footprint> here = footprints.get(slice);
        if (here.isEmpty()) return;
        if (measured[slice]) throw new IllegalStateException("HU of slice " + slice + " supplied twice");
        Mat image = new Mat(geometry.rows(), geometry.columns(), CvType.CV_16SC1);
        try {
            image.put(0, 0, hu);
            for (Footprint f : here) lesions[f.lesion()].add(SliceMeasurer.measure(f, geometry, hu, image, settings));
        } finally {
            image.release();
        }
        measured[slice] = true;
    }

    /**
     * The cleaned mask of a slice: 1 where a lesion is, after small components were removed; 0 elsewhere.
     * Row-major, {@code rows * columns} long, a fresh array.
     */
    public byte[] lesionMask(int slice) {
        short[] labels = lesionLabels(slice);
        byte[] mask = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) if (labels[i] != 0) mask[i] = 1;
        return mask;
    }

    /**
     * The lesion of each pixel of a slice: its {@link Lesion#id()} (1 = largest volume), 0 where there is no
     * lesion. Row-major, {@code rows * columns} long, a fresh array. For one DICOM SEG segment per lesion.
     */
    public short[] lesionLabels(int slice) {
        if (slice < 0 || slice >= footprints.size()) {
            throw new IllegalArgumentException("slice " + slice + " is outside 0.." + (footprints.size() - 1));
        }
        int columns = geometry.columns();
        short[] labels = new short[geometry.rows() * columns];
        for (Footprint f : footprints.get(slice)) {
            short id = (short) (f.lesion() + 1);
            for (int r = 0; r < f.height(); r++) {
                for (int c = 0; c < f.width(); c++) {
                    if (f.mask()[r * f.width() + c] != 0) labels[(f.y() + r) * columns + f.x() + c] = id;
                }
            }
        }
        return labels;
    }

    /**
     * The lesions, numbered 1.. by decreasing volume; an empty list when the masks hold none. Calling it
     * again returns the same list.
     *
     * @throws IllegalStateException naming the slices whose HU are still missing
     */
    public List<Lesion> finish() {
        if (result != null) return result;
        int[] missing = IntStream.of(slicesNeedingHu()).filter(z -> !measured[z]).toArray();
        if (missing.length > 0) {
            throw new IllegalStateException(missing.length + " slice(s) with lesions still need HU: "
                    + describe(missing));
        }
        List<Lesion> list = new ArrayList<>(lesions.length);
        for (int i = 0; i < lesions.length; i++) {
            list.add(lesions[i].toLesion(i + 1, slabs));
        }
        result = List.copyOf(list);
        return result;
    }

    private static String describe(int[] slices) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(slices.length, 20); i++) text.append(i == 0 ? "" : ", ").append(slices[i]);
        if (slices.length > 20) text.append(", ...");
        return text.toString();
    }
}
