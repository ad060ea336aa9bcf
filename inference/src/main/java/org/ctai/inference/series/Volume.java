package org.ctai.inference.series;

import com.pixelmed.dicom.AttributeList;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A loaded CT series: its geometry and per-slice metadata, with the pixels left on disk until asked
 * for. Slices are in order of position along the slice normal ({@link Geometry#normal()}), ascending;
 * index {@code i} of {@link #slices()}, of {@link Geometry#slicePositions()} and of
 * {@link #readSlices} is the same slice.
 *
 * <p>Pixels are read on demand, a batch at a time, as Hounsfield units ({@link #readSlices}); a
 * 1000-slice 512x512 series needs about 1 MB of heap per slice in the batch, not 1 GB. The files must
 * stay where they were while the volume is used.
 *
 * <p>Immutable and thread-safe: every read allocates its own arrays.
 */
public final class Volume {

    private final String seriesInstanceUid;
    private final String studyInstanceUid;
    private final String frameOfReferenceUid;
    private final Geometry geometry;
    private final List<SliceInfo> slices;
    private final List<PixelEncoding> encodings;

    Volume(String seriesInstanceUid, String studyInstanceUid, String frameOfReferenceUid, Geometry geometry,
           List<SliceInfo> slices, List<PixelEncoding> encodings) {
        this.seriesInstanceUid = Objects.requireNonNull(seriesInstanceUid);
        this.studyInstanceUid = Objects.requireNonNull(studyInstanceUid);
        this.frameOfReferenceUid = Objects.requireNonNull(frameOfReferenceUid);
        this.geometry = Objects.requireNonNull(geometry);
        this.slices = List.copyOf(slices);
        this.encodings = List.copyOf(encodings);
        if (this.slices.size() != this.encodings.size() || this.slices.size() != geometry.slicePositions().size()) {
            throw new IllegalArgumentException("slices, encodings and positions differ in number");
        }
    }

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public String studyInstanceUid() {
        return studyInstanceUid;
    }

    public String frameOfReferenceUid() {
        return frameOfReferenceUid;
    }

    public Geometry geometry() {
        return geometry;
    }

    public int sliceCount() {
        return slices.size();
    }

    /** Per-slice metadata in volume order. */
    public List<SliceInfo> slices() {
        return slices;
    }

    /**
     * The distinct pixel paddings the slices declare (usually none or one). Pixels inside a padding
     * range read as its {@link PixelPadding#fillHu()}.
     */
    public List<PixelPadding> pixelPaddings() {
        Set<PixelPadding> distinct = new LinkedHashSet<>();
        for (PixelEncoding e : encodings) e.padding().ifPresent(distinct::add);
        return List.copyOf(distinct);
    }

    /**
     * Reads slices {@code from} (inclusive) to {@code to} (exclusive) as Hounsfield units, each a new
     * row-major array of {@code rows * columns} values (index {@code row * columns + column}).
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code 0..sliceCount()}
     * @throws SeriesLoadException if a file cannot be read or decoded any more
     */
    public float[][] readSlices(int from, int to) {
        Objects.checkFromToIndex(from, to, slices.size());
        float[][] hu = new float[to - from][];
        for (int i = from; i < to; i++) {
            hu[i - from] = readSlice(i);
        }
        return hu;
    }

    /** Reads one slice as Hounsfield units; see {@link #readSlices}. */
    public float[] readSlice(int index) {
        Objects.checkIndex(index, slices.size());
        return SliceReader.readHu(seriesInstanceUid, slices.get(index), encodings.get(index),
                geometry.rows(), geometry.columns());
    }

    /**
     * A fresh copy of slice {@code index}'s data set without its pixel data, read from its file: the
     * patient, study and series attributes a derived object (SEG, SR) copies. The caller owns it.
     *
     * @throws SeriesLoadException if the file cannot be read any more
     */
    public AttributeList readHeader(int index) {
        Objects.checkIndex(index, slices.size());
        return SliceReader.readHeader(seriesInstanceUid, slices.get(index));
    }

    /** Series UID and size only: a volume's description never carries patient attributes. */
    @Override
    public String toString() {
        return "Volume[series " + seriesInstanceUid + ", " + slices.size() + " slices of " + geometry.rows() + "x"
                + geometry.columns() + "]";
    }
}
