package org.ctai.inference.phantom;

import java.util.List;
import java.util.Objects;
import org.ctai.inference.series.Geometry;

/**
 * A generated CT series in memory: HU pixels per slice, truth labels per slice, geometry and UIDs.
 *
 * <p>Slices are in order of increasing z (along the normal of the slices, feet to head), index 0 the
 * lowest, which is the order {@link Geometry#slicePositions()} uses. Pixels are row-major,
 * {@code size x size}, the first row anterior and the first column at the patient's right. The
 * written files number instances the other way round (1 is the highest slice, as scanners do).
 *
 * <p>Immutable: the accessors copy arrays, so a caller may change what it gets. Thread-safe.
 */
public final class Phantom {

    private final PhantomSpec spec;
    private final Geometry geometry;
    private final double voxelVolumeMm3;
    private final short[][] hu;
    private final byte[][] labels;
    private final List<TumourTruth> tumours;
    private final PhantomUids uids;

    Phantom(PhantomSpec spec, Geometry geometry, double voxelVolumeMm3, short[][] hu, byte[][] labels, List<TumourTruth> tumours, PhantomUids uids) {
        this.spec = Objects.requireNonNull(spec);
        this.geometry = Objects.requireNonNull(geometry);
        this.voxelVolumeMm3 = voxelVolumeMm3;
        this.hu = hu;
        this.labels = labels;
        this.tumours = List.copyOf(tumours);
        this.uids = Objects.requireNonNull(uids);
    }

    public PhantomSpec spec() {
        return spec;
    }

    public Geometry geometry() {
        return geometry;
    }

    public int sliceCount() {
        return hu.length;
    }

    /** Hounsfield units of slice {@code slice}, row-major; a copy. */
    public short[] hu(int slice) {
        return hu[slice].clone();
    }

    /** Truth mask of slice {@code slice}: 1 where a tumour is, else 0; row-major, a new array. */
    public byte[] mask(int slice) {
        byte[] l = labels[slice], mask = new byte[l.length];
        for (int i = 0; i < l.length; i++) mask[i] = (byte) (l[i] != 0 ? 1 : 0);
        return mask;
    }

    /** Truth labels of slice {@code slice}: 0, or the {@link TumourTruth#label()} of the tumour there; a copy. */
    public byte[] labels(int slice) {
        return labels[slice].clone();
    }

    /** One entry per tumour of the spec, in label order; a tumour outside every slice has a voxel count of 0. */
    public List<TumourTruth> tumours() {
        return tumours;
    }

    /** Truth tumour voxels over all slices and tumours. */
    public long truthVoxelCount() {
        return tumours.stream().mapToLong(TumourTruth::voxelCount).sum();
    }

    /** Truth tumour volume over all tumours, mm3. */
    public double truthVolumeMm3() {
        return truthVoxelCount() * voxelVolumeMm3;
    }

    /** Volume of one voxel as the files state it (pixel spacing squared times slice spacing), mm3. */
    public double voxelVolumeMm3() {
        return voxelVolumeMm3;
    }

    public String studyInstanceUid() {
        return uids.study();
    }

    public String seriesInstanceUid() {
        return uids.series();
    }

    public String frameOfReferenceUid() {
        return uids.frameOfReference();
    }

    /** SOP Instance UID of the file that holds slice {@code slice}. */
    public String sopInstanceUid(int slice) {
        return uids.instance(slice);
    }

    /** Instance Number written for slice {@code slice}: 1 for the highest slice. */
    public int instanceNumber(int slice) {
        return hu.length - slice;
    }

    short[] huUnsafe(int slice) {
        return hu[slice];
    }

    byte[] labelsUnsafe(int slice) {
        return labels[slice];
    }
}
