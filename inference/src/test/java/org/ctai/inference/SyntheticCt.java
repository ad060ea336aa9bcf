package org.ctai.inference;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SignedShortAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes small synthetic CT slices with PixelMed so tests can build good and bad series. Each slice
 * starts valid (signed 16-bit, slope 1, intercept -1024, axial, 0.7 mm pixels) and a test breaks or
 * changes what it needs. Stored pixel values are {@code storedValue(index, row, column)}, distinct
 * per slice, so a test can tell slices apart after sorting. Mutable; one test thread.
 */
public final class SyntheticCt {

    /** Patient attributes written into every slice; no message or log may ever contain them. */
    public static final String PATIENT_NAME = "Doe^Jane";
    public static final String PATIENT_ID = "PHI-4711";

    public static String newUid() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }

    public static int storedValue(int index, int row, int column) {
        return 100 * index + 3 * row - column;
    }

    /** A fresh series: study, series and frame of reference UIDs shared by the slices it makes. */
    public static final class Series {
        public final String studyUid = newUid();
        public final String seriesUid = newUid();
        public final String frameOfReferenceUid = newUid();

        public Slice slice(int index) {
            return new Slice(this, index);
        }
    }

    public static final class Slice {
        public final String sopInstanceUid = newUid();
        public String seriesUid;
        public String studyUid;
        public String frameOfReferenceUid;
        public String modality = "CT";
        public String sopClassUid = SOPClass.CTImageStorage;
        public String transferSyntax = TransferSyntax.ExplicitVRLittleEndian;
        public int index;
        public int instanceNumber;
        public int rows = 6;
        public int columns = 5;
        public double[] pixelSpacing = {0.7, 0.7};
        public double[] orientation = {1, 0, 0, 0, 1, 0};
        public double[] position;
        public boolean signed = true;
        public int bitsStored = 16;
        public double slope = 1;
        public double intercept = -1024;
        public Integer paddingValue;
        public Integer paddingRangeLimit;
        public boolean withPixelData = true;
        /** Raw 16-bit words; when null the slice's storedValue pattern is written. */
        public short[] rawPixels;

        Slice(Series series, int index) {
            this.seriesUid = series.seriesUid;
            this.studyUid = series.studyUid;
            this.frameOfReferenceUid = series.frameOfReferenceUid;
            this.index = index;
            this.instanceNumber = index + 1;
            this.position = new double[] {-100, -80, 2.5 * index};
        }

        public short[] raw() {
            if (rawPixels != null) return rawPixels;
            short[] raw = new short[rows * columns];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    raw[r * columns + c] = (short) storedValue(index, r, c);
                }
            }
            return raw;
        }

        public Path writeTo(Path folder) throws IOException {
            return writeFile(folder.resolve(sopInstanceUid + ".dcm"));
        }

        public Path writeTo(Path folder, String fileName) throws IOException {
            return writeFile(folder.resolve(fileName));
        }

        public Path writeFile(Path file) throws IOException {
            try {
                AttributeList list = new AttributeList();
                uid(list, TagFromName.SOPClassUID, sopClassUid);
                uid(list, TagFromName.SOPInstanceUID, sopInstanceUid);
                uid(list, TagFromName.StudyInstanceUID, studyUid);
                uid(list, TagFromName.SeriesInstanceUID, seriesUid);
                uid(list, TagFromName.FrameOfReferenceUID, frameOfReferenceUid);
                put(list, new CodeStringAttribute(TagFromName.Modality), modality);
                put(list, new PersonNameAttribute(TagFromName.PatientName), PATIENT_NAME);
                put(list, new LongStringAttribute(TagFromName.PatientID), PATIENT_ID);
                put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), Integer.toString(instanceNumber));
                decimals(list, TagFromName.PixelSpacing, pixelSpacing);
                decimals(list, TagFromName.ImageOrientationPatient, orientation);
                decimals(list, TagFromName.ImagePositionPatient, position);
                decimals(list, TagFromName.RescaleSlope, new double[] {slope});
                decimals(list, TagFromName.RescaleIntercept, new double[] {intercept});
                unsigned(list, TagFromName.Rows, rows);
                unsigned(list, TagFromName.Columns, columns);
                unsigned(list, TagFromName.SamplesPerPixel, 1);
                put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
                unsigned(list, TagFromName.BitsAllocated, 16);
                unsigned(list, TagFromName.BitsStored, bitsStored);
                unsigned(list, TagFromName.HighBit, bitsStored - 1);
                unsigned(list, TagFromName.PixelRepresentation, signed ? 1 : 0);
                if (paddingValue != null) padding(list, TagFromName.PixelPaddingValue, paddingValue);
                if (paddingRangeLimit != null) padding(list, TagFromName.PixelPaddingRangeLimit, paddingRangeLimit);
                if (withPixelData) {
                    OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
                    pixels.setValues(raw());
                    list.put(pixels);
                }
                FileMetaInformation.addFileMetaInformation(list, transferSyntax, "CTAI_TEST");
                list.write(file.toFile(), transferSyntax, true, true);
                return file;
            } catch (DicomException e) {
                throw new IllegalStateException("cannot build synthetic slice", e);
            }
        }

        private void padding(AttributeList list, AttributeTag tag, int value) throws DicomException {
            Attribute a = signed ? new SignedShortAttribute(tag) : new UnsignedShortAttribute(tag);
            a.addValue(value);
            list.put(a);
        }
    }

    private static void uid(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new UniqueIdentifierAttribute(tag), value);
    }

    private static void put(AttributeList list, Attribute a, String value) throws DicomException {
        a.addValue(value);
        list.put(a);
    }

    private static void unsigned(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void decimals(AttributeList list, AttributeTag tag, double[] values) throws DicomException {
        Attribute a = new DecimalStringAttribute(tag);
        for (double v : values) a.addValue(v);
        list.put(a);
    }

    private SyntheticCt() {
    }
}
