package org.ctai.scp;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.regex.Pattern;

/** The identifying attributes of one received instance, parsed and checked before it is stored. */
record ReceivedInstance(String sopInstanceUid, String sopClassUid, String seriesUid, String studyUid,
                        String patientId, String issuerOfPatientId, String patientName, String studyDate,
                        String studyDescription, String seriesDescription, String modality) {
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;

    /**
     * Parses the header (everything before Pixel Data) and checks that the pixel data is all there: its
     * element must fit in the file and hold the whole image the header describes, so that a truncated or
     * corrupt object is caught here and not at inference time. Reading the pixels themselves is left to the
     * loader (most of the cost of a full parse).
     *
     * @throws UnusableObjectException if the bytes are not a readable DICOM object, lack valid UIDs, or have
     *                                 missing or short pixel data
     */
    static ReceivedInstance parse(byte[] part10, int length) throws UnusableObjectException {
        AttributeList list = new AttributeList();
        long afterPixelTag;
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10, 0, length))) {
            // returns the offset just past the Pixel Data tag, or the end when there is none
            afterPixelTag = list.read(in, TagFromName.PixelData);
        } catch (IOException | DicomException | RuntimeException e) {
            throw new UnusableObjectException("unreadable DICOM: " + e.getMessage());
        }
        var r = new ReceivedInstance(
                s(list, TagFromName.SOPInstanceUID), s(list, TagFromName.SOPClassUID),
                s(list, TagFromName.SeriesInstanceUID), s(list, TagFromName.StudyInstanceUID),
                s(list, TagFromName.PatientID), s(list, TagFromName.IssuerOfPatientID), s(list, TagFromName.PatientName),
                s(list, TagFromName.StudyDate), s(list, TagFromName.StudyDescription),
                s(list, TagFromName.SeriesDescription), s(list, TagFromName.Modality));
        // UIDs become path components of the spool: only the UID grammar may pass.
        requireUid("SOP Instance UID", r.sopInstanceUid);
        requireUid("SOP Class UID", r.sopClassUid);
        requireUid("Series Instance UID", r.seriesUid);
        requireUid("Study Instance UID", r.studyUid);
        checkPixelData(list, part10, length, afterPixelTag);
        return r;
    }

    private static void checkPixelData(AttributeList list, byte[] part10, int length, long afterPixelTag) throws UnusableObjectException {
        if (afterPixelTag + 4 > length) throw new UnusableObjectException("pixel data missing or truncated");
        String ts = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
        int p = (int) afterPixelTag;
        boolean explicit = !ts.equals("1.2.840.10008.1.2");
        boolean bigEndian = ts.equals("1.2.840.10008.1.2.2");
        int lengthAt = explicit ? p + 4 : p; // explicit VR: "OW"/"OB" and two reserved bytes come first
        if (lengthAt + 4 > length) throw new UnusableObjectException("pixel data missing or truncated");
        long declared = bigEndian
                ? ((part10[lengthAt] & 0xffL) << 24) | ((part10[lengthAt + 1] & 0xffL) << 16) | ((part10[lengthAt + 2] & 0xffL) << 8) | (part10[lengthAt + 3] & 0xffL)
                : (part10[lengthAt] & 0xffL) | ((part10[lengthAt + 1] & 0xffL) << 8) | ((part10[lengthAt + 2] & 0xffL) << 16) | ((part10[lengthAt + 3] & 0xffL) << 24);
        if (declared == UNDEFINED_LENGTH) return; // encapsulated (compressed) fragments: the loader decides
        long available = length - (lengthAt + 4L);
        long image = (long) Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0)
                * Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0)
                * Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1))
                * Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1))
                * (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16) / 8);
        if (declared == 0 || declared > available || declared < image) {
            throw new UnusableObjectException("pixel data missing or truncated (" + Math.min(declared, available) + " of " + image + " bytes)");
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
