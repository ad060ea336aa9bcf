package org.ctai.inference.phantom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;

/**
 * Generates synthetic axial CT series of an abdomen with liver tumours whose ground truth is known:
 * for training and testing the default model, for the demo and for benchmarks.
 *
 * <p>The phantom holds air, a couch, an elliptical body with subcutaneous fat, abdominal wall and
 * back muscles, visceral fat, liver (with vessels), spleen, kidneys (cortex, medulla, sinus fat),
 * stomach and bowel loops (fluid, gas, air-fluid levels), gallbladder, aorta and vena cava, a
 * vertebra with discs, ribs, and lobulated tumours in the liver that are hypo- or hyperdense, some
 * with a necrotic core; every edge has partial volume and the image has correlated noise.
 *
 * <p>Deterministic: the same spec gives the same pixels, bit for bit, on any JVM, and the same
 * files, byte for byte. Stateless and thread-safe. A 512 x 512 slice takes some tens of ms.
 */
public final class PhantomGenerator {

    /** Stored pixel = HU - {@value}; with the slope of 1, stored 0 is -1024 HU. */
    public static final int RESCALE_INTERCEPT = -1024;
    /** Lowest and highest HU the generator writes (12-bit CT range). */
    public static final int MIN_HU = -1024, MAX_HU = 3071;

    private PhantomGenerator() {
    }

    /** The phantom of {@code spec}, in memory. */
    public static Phantom generate(PhantomSpec spec) {
        return generate(spec, new Vector3(0, 0, 0));
    }

    /**
     * The phantom of {@code spec} with the patient lying elsewhere on the table: the whole patient (and the couch
     * under it) moved by {@code patientShiftMm} in patient coordinates (LPS: +x to the patient's left, +y
     * posterior, so a patient lying 15 mm higher is y = -15; +z towards the head, along the table). As on a
     * real follow-up, the scan range is planned on the anatomy (it moves with the patient along z) while the
     * field of view stays centred on the scanner's axis (the patient moves within the image in x and y).
     * Truth centres are given in the shifted coordinates. A zero shift gives exactly {@link #generate(PhantomSpec)}.
     */
    public static Phantom generate(PhantomSpec spec, Vector3 patientShiftMm) {
        double[] centres = Anatomy.liverAndSeriesCentreZ(spec.seed());
        double liverZ = centres[0], seriesZ = centres[1];
        int n = spec.slices(), size = spec.size();
        double halfExtent = (n - 1) / 2.0 * spec.sliceSpacingMm();
        Anatomy anatomy = Anatomy.of(spec, seriesZ, liverZ, halfExtent);
        // geometry exactly as the files state it (DS text), so that a reader of the files gets this geometry
        double pixel = DecimalString.roundTrip(spec.pixelSpacingMm());
        double first = DecimalString.roundTrip(-(size - 1) / 2.0 * pixel);
        // the renderer works in the anatomy's own coordinates: a pixel at patient x shows the anatomy at x - shift
        SliceRenderer renderer = new SliceRenderer(anatomy.layers(), size, pixel, spec.sliceSpacingMm(),
                first - patientShiftMm.x(), first - patientShiftMm.y());

        List<Vector3> positions = new ArrayList<>(n);
        short[][] hu = new short[n][];
        byte[][] labels = new byte[n][];
        float[] pixels = new float[size * size];
        double lowestZ = Math.round((seriesZ - halfExtent) * 100) / 100.0; // table positions in whole 1/100 mm
        for (int k = 0; k < n; k++) {
            double z = DecimalString.roundTrip(lowestZ + k * spec.sliceSpacingMm());
            positions.add(new Vector3(first, first, patientShiftMm.z() == 0 ? z : DecimalString.roundTrip(z + patientShiftMm.z())));
            labels[k] = new byte[size * size];
            renderer.paint(z, pixels, labels[k]);
            renderer.addNoise(pixels, spec.noiseSigmaHu(), Anatomy.mix(Anatomy.mix(spec.seed()) ^ (0x6E6F697365L + k)));
            hu[k] = quantise(pixels);
        }
        Geometry geometry = new Geometry(size, size, pixel, pixel,
                new Vector3(1, 0, 0), new Vector3(0, 1, 0), positions);
        double voxelVolume = pixel * pixel * spec.sliceSpacingMm();
        return new Phantom(spec, geometry, voxelVolume, hu, labels, truths(voxelVolume, anatomy, hu, labels, patientShiftMm),
                PhantomUids.of(spec, patientShiftMm));
    }

    /**
     * Writes {@code phantom} under {@code directory} (created if missing): {@code dicom/slice-NNNN.dcm}
     * (CT Image Storage, Explicit VR Little Endian), {@code masks/slice-NNNN.png} (8-bit grey, 255 =
     * tumour) with the same NNNN, the slice index from the lowest slice up, and {@code truth.json}.
     * Existing files of the same names are replaced.
     */
    public static PhantomFiles write(Phantom phantom, Path directory) throws IOException {
        return PhantomWriter.write(phantom, directory);
    }

    private static short[] quantise(float[] pixels) {
        short[] out = new short[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (short) Math.max(MIN_HU, Math.min(MAX_HU, Math.round(pixels[i])));
        }
        return out;
    }

    private static List<TumourTruth> truths(double voxelVolume, Anatomy anatomy, short[][] hu, byte[][] labels, Vector3 shift) {
        List<TumourTruth> out = new ArrayList<>();
        for (Anatomy.TumourPlan plan : anatomy.tumours()) {
            long count = 0;
            double sum = 0;
            int firstSlice = -1, lastSlice = -1;
            for (int k = 0; k < labels.length; k++) {
                byte[] l = labels[k];
                short[] h = hu[k];
                long before = count;
                for (int i = 0; i < l.length; i++) {
                    if (l[i] == plan.label()) {
                        count++;
                        sum += h[i];
                    }
                }
                if (count > before) {
                    if (firstSlice < 0) firstSlice = k;
                    lastSlice = k;
                }
            }
            LobulatedBlob blob = plan.blob();
            out.add(new TumourTruth(plan.label(), new Vector3(blob.centreX() + shift.x(), blob.centreY() + shift.y(), blob.centreZ() + shift.z()),
                    plan.nominalRadiusMm(), plan.contrastHu(), count, count * voxelVolume,
                    count == 0 ? Double.NaN : sum / count, firstSlice, lastSlice));
        }
        return out;
    }
}
