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

    /**
     * Parses the whole dataset, pixel data included, so that a truncated or corrupt object is caught here
     * and not at inference time.
     *
     * @throws UnusableObjectException if the bytes are not a readable DICOM object or lack valid UIDs
     */
    static ReceivedInstance parse(byte[] part10) throws UnusableObjectException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in);
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
        Attribute pixels = list.get(TagFromName.PixelData);
        if (pixels == null || pixels.getVL() == 0) throw new UnusableObjectException("pixel data missing or truncated");
        return r;
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
