package org.ctai.scp;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import com.pixelmed.dicom.DateAttribute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Writes small synthetic CT series (real Part 10 files, any SOP class) for the ingest tests. */
public final class CtSeriesWriter {
    private CtSeriesWriter() {
    }

    public static String newUid() {
        return "2.25." + new BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
    }

    /** One series of {@code count} slices of {@code size x size}, one file per slice under {@code dir}. */
    public static Series write(Path dir, int count, int size) {
        return write(dir, count, size, SOPClass.CTImageStorage, "CT");
    }

    public static Series write(Path dir, int count, int size, String sopClass, String modality) {
        return write(dir, count, sopClass, modality, slice -> size);
    }

    /** One series whose slice {@code i} is {@code sizeOfSlice(i)} square, filled with {@code i}. */
    private static Series write(Path dir, int count, String sopClass, String modality, java.util.function.IntUnaryOperator sizeOfSlice) {
        return writePixels(dir, count, sopClass, modality, i -> {
            short[] pixels = new short[sizeOfSlice.applyAsInt(i) * sizeOfSlice.applyAsInt(i)];
            java.util.Arrays.fill(pixels, (short) i);
            return pixels;
        });
    }

    /** One series of square slices: slice {@code i}'s stored values are {@code pixelsOf(i)}. */
    private static Series writePixels(Path dir, int count, String sopClass, String modality, java.util.function.IntFunction<short[]> pixelsOf) {
        String study = newUid();
        String series = newUid();
        String frame = newUid();
        List<Path> files = new ArrayList<>();
        List<String> sops = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < count; i++) {
                String sop = newUid();
                Path f = dir.resolve(String.format("slice-%04d.dcm", i));
                short[] pixels = pixelsOf.apply(i);
                writeSlice(f, sopClass, modality, study, series, frame, sop, i, (int) Math.round(Math.sqrt(pixels.length)), pixels);
                files.add(f);
                sops.add(sop);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
        return new Series(study, series, files, sops);
    }

    public static void writeSlice(Path f, String sopClass, String modality, String study, String series, String frame, String sop,
                           int index, int size, short fill) throws IOException, DicomException {
        short[] pixels = new short[size * size];
        java.util.Arrays.fill(pixels, fill);
        writeSlice(f, sopClass, modality, study, series, frame, sop, index, size, pixels);
    }

    /**
     * One CT series of {@code count} slices of {@code size x size}, 0.8 mm pixels, 1 mm apart, whose HU at
     * (slice, row, column) is {@code hu.at(slice, row, column)}.
     */
    public static Series writeHu(Path dir, int count, int size, HuField hu) {
        return writePixels(dir, count, SOPClass.CTImageStorage, "CT", i -> {
            short[] stored = new short[size * size];
            for (int r = 0; r < size; r++) for (int c = 0; c < size; c++) stored[r * size + c] = (short) (hu.at(i, r, c) + 1024);
            return stored;
        });
    }

    /** HU of a voxel of a synthetic series. */
    @FunctionalInterface
    public interface HuField {
        int at(int slice, int row, int column);
    }

    /** One CT slice of {@code size x size} with the given signed stored values (HU + 1024). */
    public static void writeSlice(Path f, String sopClass, String modality, String study, String series, String frame, String sop,
                           int index, int size, short[] pixels) throws IOException, DicomException {
        AttributeList l = new AttributeList();
        put(l, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), sopClass);
        put(l, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sop);
        put(l, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
        put(l, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), series);
        put(l, new UniqueIdentifierAttribute(TagFromName.FrameOfReferenceUID), frame);
        put(l, new PersonNameAttribute(TagFromName.PatientName), "Test^Ingest");
        put(l, new LongStringAttribute(TagFromName.PatientID), "INGEST-1");
        put(l, new DateAttribute(TagFromName.StudyDate), "20260101");
        put(l, new CodeStringAttribute(TagFromName.Modality), modality);
        // as a scanner writes an axial CT, so the shipped routing rules take the series
        put(l, new CodeStringAttribute(TagFromName.ImageType), "ORIGINAL\\PRIMARY\\AXIAL");
        put(l, new IntegerStringAttribute(TagFromName.InstanceNumber), Integer.toString(index + 1));
        put(l, new DecimalStringAttribute(TagFromName.ImagePositionPatient), "0\\0\\" + index);
        put(l, new DecimalStringAttribute(TagFromName.ImageOrientationPatient), "1\\0\\0\\0\\1\\0");
        put(l, new DecimalStringAttribute(TagFromName.PixelSpacing), "0.8\\0.8");
        put(l, new DecimalStringAttribute(TagFromName.SliceThickness), "1");
        put(l, new DecimalStringAttribute(TagFromName.RescaleSlope), "1");
        put(l, new DecimalStringAttribute(TagFromName.RescaleIntercept), "-1024");
        put(l, new UnsignedShortAttribute(TagFromName.Rows), size);
        put(l, new UnsignedShortAttribute(TagFromName.Columns), size);
        put(l, new UnsignedShortAttribute(TagFromName.BitsAllocated), 16);
        put(l, new UnsignedShortAttribute(TagFromName.BitsStored), 16);
        put(l, new UnsignedShortAttribute(TagFromName.HighBit), 15);
        put(l, new UnsignedShortAttribute(TagFromName.PixelRepresentation), 1);
        put(l, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), 1);
        put(l, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        OtherWordAttribute pd = new OtherWordAttribute(TagFromName.PixelData);
        pd.setValues(pixels);
        l.put(pd);
        FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "CTAITEST");
        l.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    }

    private static void put(AttributeList l, Attribute a, String v) throws DicomException {
        a.addValue(v);
        l.put(a);
    }

    private static void put(AttributeList l, Attribute a, int v) throws DicomException {
        a.addValue(v);
        l.put(a);
    }

    public record Series(String studyUid, String seriesUid, List<Path> files, List<String> sopInstanceUids) { }

    /**
     * A series whose slices hold a pattern of stored values from -2048 to 3071 (negative ones included), so that a
     * codec that loses a bit or the sign shows.
     */
    public static Series writeTextured(Path dir, int count, int size) {
        return writePixels(dir, count, SOPClass.CTImageStorage, "CT", i -> {
            short[] pixels = new short[size * size];
            for (int p = 0; p < pixels.length; p++) pixels[p] = (short) (((p * 7919 + i * 104729) % 5120) - 2048);
            return pixels;
        });
    }

    /** A series the loader must refuse: three slices, the middle one 48x48 among 32x32. */
    /** Five slices (enough for the shipped routing rules to take the series), the second 48x48, the others 32x32. */
    public static Series writeMixedSizes(Path dir) {
        return write(dir, 5, SOPClass.CTImageStorage, "CT", slice -> slice == 1 ? 48 : 32);
    }

    static AttributeTag tag(int group, int element) {
        return new AttributeTag(group, element);
    }
}
