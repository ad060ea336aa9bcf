package org.ctai.inference.series;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The attributes of one file that series loading needs, read up to (not including) the value of
 * Pixel Data. Missing strings are empty, missing numbers -1 and missing vectors empty arrays: the
 * {@link SeriesAssembler} decides what is fatal, so that it can name the series in its message.
 */
final class SliceHeader {

    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    /** Pixel Data is there but its length was not read (deflated data sets). */
    private static final long UNKNOWN_LENGTH = -2;

    final Path file;
    final String transferSyntaxUid;
    final AttributeList attributes;
    /** Bytes of the Pixel Data value; -1 when there is no Pixel Data element; UNDEFINED_LENGTH when encapsulated; UNKNOWN_LENGTH when deflated. */
    final long pixelDataLength;
    /** Bytes of the Pixel Data value actually present in the file; -1 when it cannot be known (deflate). */
    final long pixelDataBytesPresent;

    private SliceHeader(Path file, String transferSyntaxUid, AttributeList attributes,
                        long pixelDataLength, long pixelDataBytesPresent) {
        this.file = file;
        this.transferSyntaxUid = transferSyntaxUid;
        this.attributes = attributes;
        this.pixelDataLength = pixelDataLength;
        this.pixelDataBytesPresent = pixelDataBytesPresent;
    }

    /** Signals a file that is not readable DICOM; the message never contains attribute values. */
    static final class UnreadableFileException extends Exception {
        UnreadableFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static SliceHeader read(Path file) throws UnreadableFileException {
        checkLooksLikeDicom(file);
        long[] pixelDataTagEnd = {-1};
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(file.toFile())) {
            // stop right after the Pixel Data tag: we learn that it is there, and where, without reading it
            list.read(in, (attributes, tag, byteOffset) -> {
                if (tag.equals(TagFromName.PixelData)) {
                    pixelDataTagEnd[0] = byteOffset;
                    return true;
                }
                return false;
            });
            TransferSyntax syntax = in.getTransferSyntaxToReadDataSet();
            String syntaxUid = syntax == null ? "" : syntax.getUID();
            long length = -1;
            long present = -1;
            if (pixelDataTagEnd[0] >= 0 && syntax != null && syntax.isDeflated()) {
                // PixelMed read the data set through its own inflating stream: ours is not positioned there
                length = UNKNOWN_LENGTH;
            } else if (pixelDataTagEnd[0] >= 0) {
                int lengthFieldBytes = 4;
                if (syntax != null && syntax.isExplicitVR()) {
                    byte[] vr = new byte[2];
                    in.readInsistently(vr, 0, 2);
                    in.readUnsigned16(); // reserved bytes of OB/OW
                    lengthFieldBytes = 8;
                }
                length = in.readUnsigned32();
                // byte offsets count from the start of the file here (preamble included)
                present = Files.size(file) - pixelDataTagEnd[0] - lengthFieldBytes;
            }
            return new SliceHeader(file, syntaxUid, list, length, present);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new UnreadableFileException("file " + file.getFileName() + " is not readable DICOM: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /**
     * Rejects what is plainly not DICOM before PixelMed tries (it logs a stack trace for each such
     * file): DICOM Part 10 has "DICM" after a 128-byte preamble; a bare data set (no meta header)
     * starts with a tag of group 0002 or 0008, little-endian.
     */
    private static void checkLooksLikeDicom(Path file) throws UnreadableFileException {
        byte[] start = new byte[132];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(start, 0, start.length);
        } catch (IOException e) {
            throw new UnreadableFileException("file " + file.getFileName() + " cannot be read: " + e.getMessage(), e);
        }
        boolean part10 = n == 132 && start[128] == 'D' && start[129] == 'I' && start[130] == 'C' && start[131] == 'M';
        boolean bareDataSet = n >= 4 && (start[0] == 0x02 || start[0] == 0x08) && start[1] == 0x00;
        if (!part10 && !bareDataSet) {
            throw new UnreadableFileException("file " + file.getFileName() + " is not DICOM (no DICM prefix, no data set)", null);
        }
    }

    boolean hasPixelData() {
        return pixelDataLength != -1;
    }

    boolean pixelDataEncapsulated() {
        return pixelDataLength == UNDEFINED_LENGTH;
    }

    /** Empty when the pixel data is whole or cannot be checked; otherwise what is missing. */
    Optional<String> pixelDataTruncation(long expectedBytes) {
        if (pixelDataLength < 0 || pixelDataEncapsulated() || pixelDataBytesPresent < 0) return Optional.empty();
        if (pixelDataLength < expectedBytes) {
            return Optional.of("Pixel Data holds " + pixelDataLength + " bytes, the image needs " + expectedBytes);
        }
        if (pixelDataBytesPresent < pixelDataLength) {
            return Optional.of("file is truncated: " + Math.max(0, pixelDataBytesPresent) + " of "
                    + pixelDataLength + " Pixel Data bytes present");
        }
        return Optional.empty();
    }

    String string(AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(attributes, tag).trim();
    }

    int integer(AttributeTag tag) {
        return Attribute.getSingleIntegerValueOrDefault(attributes, tag, -1);
    }

    double[] doubles(AttributeTag tag) {
        Attribute a = attributes.get(tag);
        if (a == null) return new double[0];
        try {
            double[] values = a.getDoubleValues();
            return values == null ? new double[0] : values;
        } catch (DicomException | NumberFormatException e) {
            return new double[0];
        }
    }

    double decimal(AttributeTag tag, double fallback) {
        double[] values = doubles(tag);
        return values.length == 0 ? fallback : values[0];
    }

    boolean has(AttributeTag tag) {
        Attribute a = attributes.get(tag);
        return a != null && a.getVM() > 0;
    }

    String sopInstanceUid() {
        return string(TagFromName.SOPInstanceUID);
    }

    String seriesInstanceUid() {
        return string(TagFromName.SeriesInstanceUID);
    }
}
