package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.StringAttributeAffectedBySpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The modules every object the node writes (SEG, SR, overlay secondary captures) shares with its source CT,
 * and the ones it adds as a new instance of a new series. Stateless; every method is thread-safe as long as
 * the lists it is given are not shared.
 *
 * <p>Typical use, for any new object derived from a CT series:
 * <pre>{@code
 * AttributeList list = CommonModules.fromSource(volume.readHeader(0));       // Patient, Study, charset
 * CommonModules.putSeries(list, "SEG", new CommonModules.Series(uid, 9001, "CTAI SEG"), created);
 * CommonModules.putEquipment(list, equipment);
 * CommonModules.putInstance(list, sopClassUid, sopInstanceUid, 1, created);  // SOP Common, Content Date/Time
 * ... the object's own modules ...
 * CommonModules.finish(list);                                                  // charset check + file meta
 * }</pre>
 *
 * <p><b>Character sets.</b> Patient and study attributes are copied as the decoded (Unicode) values PixelMed
 * read, so names and IDs are never mangled. {@link #finish} then encodes every string of the object with one
 * character set: the source's Specific Character Set when it can encode every value (a Latin-1 or UTF-8
 * source stays as it was), otherwise ISO_IR 192 (UTF-8), which can encode anything. ISO 2022 sources with
 * non-ASCII values are also written as ISO_IR 192: PixelMed cannot re-encode code extensions reliably.
 */
final class CommonModules {

    /** General Equipment Manufacturer of everything the node writes. */
    static final String MANUFACTURER = "CTAI Node";
    /**
     * Content Creator's Name: the node is the creator, as a person name whose family name component is "CTAI Node"
     * (the '^' marks the component; without it dciodvfy reads the retired free-text form).
     */
    static final String CONTENT_CREATOR = "CTAI Node^";

    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss.SSS");

    /**
     * Patient module, Clinical Trial Subject module, General Study module, Patient Study module and Clinical
     * Trial Study module attributes (PS3.3 C.7.1.1, C.7.1.3, C.7.2.1, C.7.2.2, C.7.2.3), by keyword. Keywords
     * that PixelMed's dictionary does not know are skipped.
     */
    private static final List<AttributeTag> PATIENT_AND_STUDY = tags(
            // Patient
            "PatientName", "PatientID", "IssuerOfPatientID", "IssuerOfPatientIDQualifiersSequence", "TypeOfPatientID",
            "PatientBirthDate", "PatientBirthTime", "PatientSex", "OtherPatientIDsSequence", "OtherPatientNames",
            "PatientComments", "PatientSpeciesDescription", "PatientSpeciesCodeSequence", "PatientBreedDescription",
            "PatientBreedCodeSequence", "BreedRegistrationSequence", "ResponsiblePerson", "ResponsiblePersonRole",
            "ResponsibleOrganization", "PatientIdentityRemoved", "DeidentificationMethod",
            "DeidentificationMethodCodeSequence", "QualityControlSubject", "ReferencedPatientSequence",
            "PatientBirthDateInAlternativeCalendar", "PatientDeathDateInAlternativeCalendar", "PatientAlternativeCalendar",
            "StrainDescription", "StrainNomenclature", "StrainCodeSequence", "StrainAdditionalInformation",
            "StrainStockSequence", "GeneticModificationsSequence",
            // Clinical Trial Subject
            "ClinicalTrialSponsorName", "ClinicalTrialProtocolID", "ClinicalTrialProtocolName", "ClinicalTrialSiteID",
            "ClinicalTrialSiteName", "ClinicalTrialSubjectID", "ClinicalTrialSubjectReadingID",
            "EthicsCommitteeApprovalEffectivenessSequence",
            // General Study
            "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName",
            "ReferringPhysicianIdentificationSequence", "ConsultingPhysicianName",
            "ConsultingPhysicianIdentificationSequence", "StudyID", "AccessionNumber", "IssuerOfAccessionNumberSequence",
            "StudyDescription", "PhysiciansOfRecord", "PhysiciansOfRecordIdentificationSequence",
            "NameOfPhysiciansReadingStudy", "PhysiciansReadingStudyIdentificationSequence",
            "RequestingServiceCodeSequence", "ReferencedStudySequence", "ProcedureCodeSequence",
            "ReasonForPerformedProcedureCodeSequence",
            // Patient Study
            "AdmittingDiagnosesDescription", "AdmittingDiagnosesCodeSequence", "PatientAge", "PatientSize",
            "PatientWeight", "PatientBodyMassIndex", "MeasuredAPDimension", "MeasuredLateralDimension",
            "PatientSizeCodeSequence", "MedicalAlerts", "Allergies", "SmokingStatus", "PregnancyStatus",
            "LastMenstrualDate", "PatientState", "AdditionalPatientHistory", "Occupation", "AdmissionID",
            "IssuerOfAdmissionIDSequence", "ServiceEpisodeID", "ServiceEpisodeDescription",
            "IssuerOfServiceEpisodeIDSequence", "PatientSexNeutered", "ReasonForVisit", "ReasonForVisitCodeSequence",
            // Clinical Trial Study
            "ClinicalTrialTimePointID", "ClinicalTrialTimePointDescription", "LongitudinalTemporalOffsetFromEvent",
            "LongitudinalTemporalEventType", "ConsentForClinicalTrialUseSequence");

    /** Type 2 attributes of the Patient and General Study modules: present, empty when the source lacks them. */
    private static final List<AttributeTag> TYPE_2 = List.of(TagFromName.PatientName, TagFromName.PatientID,
            TagFromName.PatientBirthDate, TagFromName.PatientSex, TagFromName.StudyDate, TagFromName.StudyTime,
            TagFromName.ReferringPhysicianName, TagFromName.StudyID, TagFromName.AccessionNumber);

    /**
     * A new series: its UID, Series Number and Series Description.
     *
     * @param number Series Number, 0 or more (IS)
     */
    record Series(String uid, int number, String description) {
        Series {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(description, "description");
            if (number < 0) throw new IllegalArgumentException("series number must be 0 or more, was " + number);
        }
    }

    private CommonModules() {
    }

    /**
     * Starts a derived object from a source CT header (for example {@code Volume.readHeader(0)}): Specific
     * Character Set and the Patient, Clinical Trial Subject, General Study, Patient Study and Clinical Trial
     * Study attributes the source has, deep-copied (the source list is not changed and not shared), plus the
     * Type 2 attributes of Patient and General Study as empty values where the source lacks them.
     *
     * @throws SrWriteException if the source has no Study Instance UID
     */
    static AttributeList fromSource(AttributeList source) {
        Objects.requireNonNull(source, "source");
        String study = Attribute.getSingleStringValueOrEmptyString(source, TagFromName.StudyInstanceUID);
        if (study.isBlank()) throw new SrWriteException("the source CT has no Study Instance UID");
        AttributeList list = new AttributeList();
        try {
            copy(source, list, TagFromName.SpecificCharacterSet);
            for (AttributeTag tag : PATIENT_AND_STUDY) copy(source, list, tag);
            for (AttributeTag tag : TYPE_2) if (list.get(tag) == null) list.put(AttributeFactory.newAttribute(tag));
        } catch (DicomException e) {
            throw new SrWriteException("cannot copy the patient and study of study " + study + ": " + e.getMessage(), e);
        }
        return list;
    }

    /**
     * General Series (Modality, Series Instance UID, Series Number, Series Description, Series Date and Time)
     * for a new series created at {@code created}.
     */
    static void putSeries(AttributeList list, String modality, Series series, ZonedDateTime created) {
        put(list, TagFromName.Modality, modality);
        put(list, TagFromName.SeriesInstanceUID, series.uid());
        put(list, TagFromName.SeriesNumber, Integer.toString(series.number()));
        put(list, TagFromName.SeriesDescription, series.description());
        put(list, TagFromName.SeriesDate, DA.format(created));
        put(list, TagFromName.SeriesTime, TM.format(created));
    }

    /**
     * Copies Body Part Examined (General Series, Type 3) from the source, when it has one: a derived object shows
     * the same anatomy, and validators need it to decide whether Laterality is required.
     *
     * @return whether the source had one
     */
    static boolean copyBodyPartExamined(AttributeList source, AttributeList list) {
        String bodyPart = Attribute.getSingleStringValueOrEmptyString(source, TagFromName.BodyPartExamined);
        if (bodyPart.isBlank()) return false;
        put(list, TagFromName.BodyPartExamined, bodyPart.trim());
        return true;
    }

    /**
     * General Equipment and Enhanced General Equipment: Manufacturer, Manufacturer's Model Name, Software
     * Versions and Device Serial Number (all four Type 1 in Enhanced General Equipment).
     */
    static void putEquipment(AttributeList list, Equipment equipment) {
        put(list, TagFromName.Manufacturer, equipment.manufacturer());
        put(list, TagFromName.ManufacturerModelName, equipment.modelName());
        put(list, TagFromName.SoftwareVersions, equipment.softwareVersion());
        put(list, TagFromName.DeviceSerialNumber, equipment.deviceSerialNumber());
    }

    /**
     * SOP Common (SOP Class and Instance UID, Instance Creation Date and Time), Instance Number and Content Date
     * and Time, all at {@code created}.
     */
    static void putInstance(AttributeList list, String sopClassUid, String sopInstanceUid, int instanceNumber,
                            ZonedDateTime created) {
        put(list, TagFromName.SOPClassUID, sopClassUid);
        put(list, TagFromName.SOPInstanceUID, sopInstanceUid);
        put(list, TagFromName.InstanceCreationDate, DA.format(created));
        put(list, TagFromName.InstanceCreationTime, TM.format(created));
        put(list, TagFromName.InstanceNumber, Integer.toString(instanceNumber));
        put(list, TagFromName.ContentDate, DA.format(created));
        put(list, TagFromName.ContentTime, TM.format(created));
    }

    /**
     * Content Identification macro: Content Label (a DICOM CS: upper case, digits, space, underscore, at most
     * 16 characters), Content Description and Content Creator's Name ({@value #CONTENT_CREATOR}).
     */
    static void putContentIdentification(AttributeList list, String label, String description) {
        put(list, TagFromName.ContentLabel, label);
        put(list, TagFromName.ContentDescription, description);
        put(list, TagFromName.ContentCreatorName, CONTENT_CREATOR);
    }

    /**
     * Puts a new attribute of the dictionary's VR for {@code tag} with the given values (replacing any), or an
     * empty one when there are none. Its character set is settled by {@link #finish}.
     */
    static Attribute put(AttributeList list, AttributeTag tag, String... values) {
        try {
            Attribute a = AttributeFactory.newAttribute(tag);
            for (String v : values) a.addValue(v);
            list.put(a);
            return a;
        } catch (DicomException e) {
            throw new SrWriteException("cannot set " + DicomDictionary.StandardDictionary.getNameFromTag(tag) + ": "
                    + e.getMessage(), e);
        }
    }

    /** A sequence attribute with the given items, put into {@code list}. */
    static SequenceAttribute putSequence(AttributeList list, AttributeTag tag, List<AttributeList> items) {
        SequenceAttribute s = new SequenceAttribute(tag);
        for (AttributeList item : items) s.addItem(item);
        list.put(s);
        return s;
    }

    /** A coded entry (Code Value, Coding Scheme Designator, Code Meaning) as one sequence item. */
    static AttributeList code(String scheme, String value, String meaning) {
        AttributeList item = new AttributeList();
        put(item, TagFromName.CodeValue, value);
        put(item, TagFromName.CodingSchemeDesignator, scheme);
        put(item, TagFromName.CodeMeaning, meaning);
        return item;
    }

    /** Puts a sequence of one coded entry. */
    static void putCode(AttributeList list, AttributeTag tag, String scheme, String value, String meaning) {
        putSequence(list, tag, List.of(code(scheme, value, meaning)));
    }

    /**
     * A decimal string (DS) of at most 16 characters for {@code value}: exact when it fits, otherwise rounded to
     * the most significant digits that fit.
     *
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    static String ds(double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("a DS must be finite, was " + value);
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return Long.toString((long) value);
        String plain = BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        if (plain.length() <= 16) return plain;
        for (int digits = 15; digits > 0; digits--) {
            String rounded = new BigDecimal(value, new MathContext(digits)).stripTrailingZeros().toString();
            if (rounded.length() <= 16) return rounded;
        }
        throw new IllegalArgumentException("no 16-character DS for " + value);
    }

    /** A new globally unique UID under the UUID-derived root 2.25 (PS3.5 B.2). */
    static String newUid() {
        return uuidToUid(UUID.randomUUID());
    }

    /** The same UID for the same {@code name}, every time: 2.25 + a name-based UUID (RFC 4122 version 3). */
    static String uidFromName(String name) {
        return uuidToUid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    private static String uuidToUid(UUID uuid) {
        ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }

    /**
     * Makes the object ready to write: settles its character set (see the class comment; sets Specific
     * Character Set where needed and makes every string attribute, in sequences too, encode with it) and adds
     * the file meta information (Explicit VR Little Endian, source AE title "CTAI").
     *
     * @throws SrWriteException if the object lacks its SOP Class or Instance UID
     */
    static void finish(AttributeList list) {
        settleCharacterSet(list);
        String sopClass = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID);
        String sopInstance = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
        if (sopClass.isEmpty() || sopInstance.isEmpty()) throw new SrWriteException("object has no SOP Class or Instance UID");
        try {
            list.removeGroupLengthAttributes();
            list.removeMetaInformationHeaderAttributes();
            FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAI");
        } catch (DicomException e) {
            throw new SrWriteException("cannot add file meta information to SOP instance " + sopInstance + ": " + e.getMessage(), e);
        }
    }

    private static void settleCharacterSet(AttributeList list) {
        String[] declared = Attribute.getStringValues(list, TagFromName.SpecificCharacterSet);
        if (declared == null || java.util.Arrays.stream(declared).allMatch(v -> v == null || v.isBlank())) {
            declared = new String[0];
        }
        List<String> values = new ArrayList<>();
        collectStrings(list, values);
        boolean ascii = values.stream().allMatch(v -> v.chars().allMatch(c -> c < 0x80));
        String[] use = declared;
        boolean iso2022 = declared.length > 1 || (declared.length == 1 && declared[0].startsWith("ISO 2022"));
        if (!ascii && (iso2022 || !canEncode(declared, values))) {
            use = new String[] {"ISO_IR 192"};
        }
        try {
            if (use.length == 0) {
                // an empty Specific Character Set (some scanners send one) is the default repertoire: Type 1C, so absent
                list.remove(TagFromName.SpecificCharacterSet);
            } else if (use != declared) {
                Attribute a = new CodeStringAttribute(TagFromName.SpecificCharacterSet);
                for (String v : use) a.addValue(v);
                list.put(a);
            }
            SpecificCharacterSet charset = use.length == 0 ? null : new SpecificCharacterSet(use);
            applyCharset(list, charset);
        } catch (DicomException e) {
            throw new SrWriteException("cannot set the character set: " + e.getMessage(), e);
        }
    }

    /** Whether the single-byte or UTF-8 character set {@code declared} can encode every value. */
    private static boolean canEncode(String[] declared, List<String> values) {
        if (declared.length == 0) return values.stream().allMatch(v -> v.chars().allMatch(c -> c < 0x80));
        String javaName = new SpecificCharacterSet(declared).toString();
        CharsetEncoder encoder;
        try {
            encoder = Charset.forName(javaName).newEncoder();
        } catch (RuntimeException e) {
            return false; // a character set Java does not know: write UTF-8 instead
        }
        return values.stream().allMatch(encoder::canEncode);
    }

    private static void collectStrings(AttributeList list, List<String> out) {
        for (Attribute a : list.values()) {
            if (a instanceof SequenceAttribute s) {
                for (SequenceItem item : iterable(s)) collectStrings(item.getAttributeList(), out);
            } else if (a instanceof StringAttributeAffectedBySpecificCharacterSet) {
                String[] v = Attribute.getStringValues(a);
                if (v != null) for (String s : v) if (s != null) out.add(s);
            }
        }
    }

    /**
     * Re-creates the values of every string attribute with {@code charset}: PixelMed encodes with the character
     * set an attribute was made with, which for copied attributes is the source's.
     */
    private static void applyCharset(AttributeList list, SpecificCharacterSet charset) throws DicomException {
        for (Attribute a : list.values()) {
            if (a instanceof SequenceAttribute s) {
                for (SequenceItem item : iterable(s)) applyCharset(item.getAttributeList(), charset);
            } else if (a instanceof StringAttributeAffectedBySpecificCharacterSet sa) {
                String[] values = sa.getOriginalStringValues();
                sa.setSpecificCharacterSet(charset);
                // setSpecificCharacterSet does not recompute the cached length and bytes: set the values again
                sa.removeValues();
                if (values != null) for (String v : values) sa.addValue(v);
            }
        }
    }

    private static Iterable<SequenceItem> iterable(SequenceAttribute s) {
        return s::iterator;
    }

    /** Deep copy of {@code tag} from {@code source}, if present: strings as decoded values, sequences item by item. */
    private static void copy(AttributeList source, AttributeList target, AttributeTag tag) throws DicomException {
        Attribute a = source.get(tag);
        if (a != null) target.put(copyOf(a));
    }

    private static Attribute copyOf(Attribute a) throws DicomException {
        if (a instanceof SequenceAttribute s) {
            SequenceAttribute copy = new SequenceAttribute(s.getTag());
            for (SequenceItem item : iterable(s)) {
                AttributeList itemCopy = new AttributeList();
                for (Attribute inner : item.getAttributeList().values()) itemCopy.put(copyOf(inner));
                copy.addItem(itemCopy);
            }
            return copy;
        }
        Attribute copy = AttributeFactory.newAttribute(a.getTag(), a.getVR());
        if (a instanceof StringAttribute sa) {
            if (copy instanceof StringAttribute sc) sc.setSpecificCharacterSet(sa.getSpecificCharacterSet());
            String[] values = sa.getOriginalStringValues();
            if (values != null) for (String v : values) copy.addValue(v);
        } else if (a.getVM() > 0) {
            // binary numbers (US, FL, ...): the patient and study modules hold hardly any; their string forms round-trip
            for (String v : a.getStringValues()) copy.addValue(v);
        }
        return copy;
    }

    private static List<AttributeTag> tags(String... keywords) {
        List<AttributeTag> tags = new ArrayList<>();
        for (String k : keywords) {
            AttributeTag t = DicomDictionary.StandardDictionary.getTagFromName(k);
            if (t != null) tags.add(t);
        }
        return List.copyOf(tags);
    }
}
