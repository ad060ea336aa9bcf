package org.ctai.inference.series;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.TagFromName;

import java.io.IOException;

/** Reads the pixels of one slice file and converts them to HU. Stateless. */
final class SliceReader {

    private SliceReader() {
    }

    static float[] readHu(String seriesUid, SliceInfo slice, PixelEncoding encoding, int rows, int columns) {
        String where = "series " + seriesUid + ", SOP instance " + slice.sopInstanceUid();
        AttributeList list = new AttributeList();
        byte[] jpegLs = null;
        try (DicomInputStream in = new DicomInputStream(slice.file().toFile())) {
            // decompresses RLE, JPEG lossless and JPEG 2000 (ImageIO plugins); JPEG-LS stops at its Pixel Data for GDCM
            list.read(in, (attributes, tag, byteOffset) -> tag.equals(TagFromName.PixelData) && isJpegLs(attributes));
            if (isJpegLs(list)) jpegLs = JpegLs.decode(slice.file());
        } catch (IOException | DicomException | RuntimeException e) {
            throw new SeriesLoadException(seriesUid, Refusal.UNREADABLE_FILE,
                    where + ": pixel data could not be read: " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        String sop = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
        if (!slice.sopInstanceUid().equals(sop)) {
            throw new SeriesLoadException(seriesUid, Refusal.UNREADABLE_FILE,
                    where + ": its file " + slice.file().getFileName() + " now holds another instance");
        }
        if (jpegLs != null) return fromBytes(seriesUid, where, encoding, jpegLs, rows * columns);
        Attribute pixels = list.getPixelData();
        if (pixels == null) {
            // PixelMed logs and drops a Pixel Data element it cannot read to the end
            throw new SeriesLoadException(seriesUid, Refusal.MISSING_PIXEL_DATA, where + ": Pixel Data absent or unreadable");
        }
        int count = rows * columns;
        float[] hu = new float[count];
        try {
            if (encoding.bitsAllocated() == 16 && !(pixels instanceof OtherByteAttribute)) {
                short[] raw = pixels.getShortValues();
                checkLength(seriesUid, where, raw == null ? 0 : raw.length, count);
                encoding.toHu(raw, hu);
            } else if (encoding.bitsAllocated() == 8) {
                byte[] raw = pixels.getByteValues();
                checkLength(seriesUid, where, raw == null ? 0 : raw.length, count);
                encoding.toHu(raw, hu);
            } else {
                // 16-bit samples in an OB element: little-endian byte pairs
                return fromBytes(seriesUid, where, encoding, pixels.getByteValues(), count);
            }
        } catch (DicomException e) {
            throw new SeriesLoadException(seriesUid, Refusal.UNREADABLE_FILE, where + ": " + e.getMessage(), e);
        }
        return hu;
    }

    private static boolean isJpegLs(AttributeList attributes) {
        return JpegLs.TRANSFER_SYNTAXES.contains(Attribute.getSingleStringValueOrEmptyString(attributes, TagFromName.TransferSyntaxUID));
    }

    /** HU from decoded samples as bytes: one per sample for 8 bits, little-endian pairs for 16. */
    private static float[] fromBytes(String seriesUid, String where, PixelEncoding encoding, byte[] bytes, int count) {
        float[] hu = new float[count];
        if (encoding.bitsAllocated() == 8) {
            checkLength(seriesUid, where, bytes == null ? 0 : bytes.length, count);
            encoding.toHu(bytes, hu);
            return hu;
        }
        checkLength(seriesUid, where, bytes == null ? 0 : bytes.length / 2, count);
        short[] raw = new short[count];
        for (int i = 0; i < count; i++) {
            raw[i] = (short) ((bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] & 0xFF) << 8);
        }
        encoding.toHu(raw, hu);
        return hu;
    }

    private static void checkLength(String seriesUid, String where, int present, int needed) {
        if (present < needed) {
            throw new SeriesLoadException(seriesUid, Refusal.UNREADABLE_FILE,
                    where + ": Pixel Data holds " + present + " samples, the image needs " + needed);
        }
    }

    static AttributeList readHeader(String seriesUid, SliceInfo slice) {
        try {
            return SliceHeader.read(slice.file()).attributes;
        } catch (SliceHeader.UnreadableFileException e) {
            throw new SeriesLoadException(seriesUid, Refusal.UNREADABLE_FILE,
                    "series " + seriesUid + ", SOP instance " + slice.sopInstanceUid() + ": " + e.getMessage(), e);
        }
    }
}
