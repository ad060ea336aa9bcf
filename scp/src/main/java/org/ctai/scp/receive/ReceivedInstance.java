package org.ctai.scp.receive;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Pattern;

/**
 * The identifying attributes of one received instance, parsed and checked before it is stored; the transfer
 * syntax and the sender's AE title from the file meta information the node wrote ahead of the dataset.
 */
record ReceivedInstance(String sopInstanceUid, String sopClassUid, String transferSyntaxUid, String seriesUid, String studyUid,
                        String patientId, String issuerOfPatientId, String patientName, String studyDate,
                        String studyDescription, String seriesDescription, String modality, String sourceAeTitle) {
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;

    /**
     * Parses the header (everything before Pixel Data) and checks that the pixel data of an image is all there: its
     * element must fit in the file and hold the whole image the header describes, so that a truncated or
     * corrupt object is caught here and not at inference time. Reading the pixels themselves is left to the
     * loader (most of the cost of a full parse). The head kept in memory is read first; the file only when
     * the header goes on past it.
     *
     * @throws UnusableObjectException if the bytes are not a readable DICOM object, lack valid UIDs, or have
     *                                 missing or short pixel data
     */
    static ReceivedInstance parse(IncomingFile.Received received) throws UnusableObjectException {
        try {
            return parse(received.head(), received.headLength(), received.length());
        } catch (UnusableObjectException e) {
            if (received.whole()) throw e;
            // most likely a header longer than the head; the whole file decides
        }
        byte[] all;
        try {
            all = Files.readAllBytes(received.file());
        } catch (IOException e) {
            throw new UnusableObjectException("cannot read back the received file: " + e.getMessage());
        }
        return parse(all, all.length, all.length);
    }

    /** Parses from the first {@code available} bytes of an object {@code length} bytes long. */
    private static ReceivedInstance parse(byte[] part10, int available, long length) throws UnusableObjectException {
        AttributeList list = new AttributeList();
        long afterPixelTag;
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10, 0, available))) {
            // returns the offset just past the Pixel Data tag, or the end when there is none
            afterPixelTag = list.read(in, TagFromName.PixelData);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new UnusableObjectException("unreadable DICOM: " + e.getMessage());
        }
        var r = new ReceivedInstance(
                s(list, TagFromName.SOPInstanceUID), s(list, TagFromName.SOPClassUID), s(list, TagFromName.TransferSyntaxUID),
                s(list, TagFromName.SeriesInstanceUID), s(list, TagFromName.StudyInstanceUID),
                s(list, TagFromName.PatientID), s(list, TagFromName.IssuerOfPatientID), s(list, TagFromName.PatientName),
                s(list, TagFromName.StudyDate), s(list, TagFromName.StudyDescription),
                s(list, TagFromName.SeriesDescription), s(list, TagFromName.Modality), s(list, TagFromName.SourceApplicationEntityTitle));
        // UIDs become path components of the spool: only the UID grammar may pass.
        requireUid("SOP Instance UID", r.sopInstanceUid);
        requireUid("SOP Class UID", r.sopClassUid);
        requireUid("Series Instance UID", r.seriesUid);
        requireUid("Study Instance UID", r.studyUid);
        checkPixelData(list, part10, available, length, afterPixelTag);
        return r;
    }

    private static void checkPixelData(AttributeList list, byte[] part10, int available, long length, long afterPixelTag)
            throws UnusableObjectException {
        if (afterPixelTag + 4 > length) {
            // a non-image object (a structured report, a dose SR) has neither pixel data nor rows: nothing to check
            if (list.get(TagFromName.Rows) == null && afterPixelTag >= length) return;
            throw new UnusableObjectException("pixel data missing or truncated");
        }
        String ts = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
        int p = (int) afterPixelTag;
        boolean explicit = !ts.equals("1.2.840.10008.1.2");
        boolean bigEndian = ts.equals("1.2.840.10008.1.2.2");
        int lengthAt = explicit ? p + 4 : p; // explicit VR: "OW"/"OB" and two reserved bytes come first
        if (lengthAt + 4 > available) throw new UnusableObjectException("pixel data missing or truncated");
        long declared = bigEndian
                ? ((part10[lengthAt] & 0xffL) << 24) | ((part10[lengthAt + 1] & 0xffL) << 16) | ((part10[lengthAt + 2] & 0xffL) << 8) | (part10[lengthAt + 3] & 0xffL)
                : (part10[lengthAt] & 0xffL) | ((part10[lengthAt + 1] & 0xffL) << 8) | ((part10[lengthAt + 2] & 0xffL) << 16) | ((part10[lengthAt + 3] & 0xffL) << 24);
        if (declared == UNDEFINED_LENGTH) return; // encapsulated (compressed) fragments: the loader decides
        long present = length - (lengthAt + 4L);
        long image = (long) Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0)
                * Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0)
                * Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1))
                * Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1))
                * (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16) / 8);
        if (declared == 0 || declared > present || declared < image) {
            throw new UnusableObjectException("pixel data missing or truncated (" + Math.min(declared, present) + " of " + image + " bytes)");
        }
    }

    private static void requireUid(String name, String value) throws UnusableObjectException {
        if (value.length() > 64 || !UID.matcher(value).matches()) {
            throw new UnusableObjectException("missing or invalid " + name + " '" + value + "'");
        }
    }

    private static String s(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
    }

    /** The object can never be used, whatever is retried; it goes to quarantine. */
    static final class UnusableObjectException extends Exception {
        UnusableObjectException(String message) {
            super(message);
        }
    }
}
