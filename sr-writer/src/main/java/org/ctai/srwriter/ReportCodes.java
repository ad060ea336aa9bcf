package org.ctai.srwriter;

import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomException;

/**
 * The coded concepts of the measurement report. Standard codes are taken from PS3.16 as published (checked
 * against DCMTK's generated context groups and PixelMed's template rules); concepts that have no standard code
 * use the private scheme {@value #PRIVATE_SCHEME}, which the report declares in its Coding Scheme
 * Identification Sequence and sr-writer/docs/measurement-report.md documents. Stateless.
 */
final class ReportCodes {

    /** Coding Scheme Designator of the node's own codes (a "99" prefix marks a private scheme, PS3.16 8.2). */
    static final String PRIVATE_SCHEME = "99CTAI";
    static final String PRIVATE_SCHEME_NAME = "CTAI Node measurement codes";
    static final String PRIVATE_SCHEME_VERSION = "1";

    /** One coded entry. */
    record Code(String scheme, String value, String meaning) {
        CodedSequenceItem item() {
            try {
                return new CodedSequenceItem(value, scheme, meaning);
            } catch (DicomException e) {
                throw new SrWriteException("cannot code (" + value + ", " + scheme + ", \"" + meaning + "\")", e);
            }
        }
    }

    private ReportCodes() {
    }

    private static Code dcm(String value, String meaning) {
        return new Code("DCM", value, meaning);
    }

    private static Code sct(String value, String meaning) {
        return new Code("SCT", value, meaning);
    }

    private static Code ucum(String value, String meaning) {
        return new Code("UCUM", value, meaning);
    }

    private static Code ctai(String value, String meaning) {
        return new Code(PRIVATE_SCHEME, value, meaning);
    }

    // document and context (TID 1500, 1204, 1001, 1002, 1004, 4019)
    static final Code IMAGING_MEASUREMENT_REPORT = dcm("126000", "Imaging Measurement Report");
    static final Code LANGUAGE = dcm("121049", "Language of Content Item and Descendants");
    static final Code ENGLISH = new Code("RFC5646", "en", "English");
    static final Code OBSERVER_TYPE = dcm("121005", "Observer Type");
    static final Code DEVICE = dcm("121007", "Device");
    static final Code DEVICE_OBSERVER_UID = dcm("121012", "Device Observer UID");
    static final Code DEVICE_OBSERVER_NAME = dcm("121013", "Device Observer Name");
    static final Code DEVICE_OBSERVER_MANUFACTURER = dcm("121014", "Device Observer Manufacturer");
    static final Code DEVICE_OBSERVER_MODEL_NAME = dcm("121015", "Device Observer Model Name");
    static final Code DEVICE_OBSERVER_SERIAL_NUMBER = dcm("121016", "Device Observer Serial Number");
    static final Code PROCEDURE_REPORTED = dcm("121058", "Procedure reported");
    /** CID 100 "Quantitative Diagnostic Imaging Procedure". */
    static final Code CT_UNSPECIFIED_BODY_REGION = new Code("LN", "25045-6", "CT unspecified body region");
    static final Code ALGORITHM_NAME = dcm("111001", "Algorithm Name");
    static final Code ALGORITHM_VERSION = dcm("111003", "Algorithm Version");

    // image library (TID 1600)
    static final Code IMAGE_LIBRARY = dcm("111028", "Image Library");
    static final Code IMAGE_LIBRARY_GROUP = dcm("126200", "Image Library Group");

    // measurements (TID 1410, 1411, 1419)
    static final Code IMAGING_MEASUREMENTS = dcm("126010", "Imaging Measurements");
    static final Code MEASUREMENT_GROUP = dcm("125007", "Measurement Group");
    static final Code TRACKING_IDENTIFIER = dcm("112039", "Tracking Identifier");
    static final Code TRACKING_UID = dcm("112040", "Tracking Unique Identifier");
    static final Code FINDING = dcm("121071", "Finding");
    static final Code NEOPLASM = sct("108369006", "Neoplasm");
    static final Code IMAGE_REGION = dcm("111030", "Image Region");
    static final Code FINDING_SITE = sct("363698007", "Finding Site");
    static final Code REFERENCED_SEGMENT = dcm("121191", "Referenced Segment");
    static final Code SOURCE_SERIES_FOR_SEGMENTATION = dcm("121232", "Source series for segmentation");
    static final Code COMMENT = dcm("121106", "Comment");
    static final Code DERIVATION = dcm("121401", "Derivation");

    // qualitative evaluations (no lesion)
    static final Code QUALITATIVE_EVALUATIONS = new Code("UMLS", "C0034375", "Qualitative Evaluations");
    static final Code NO = sct("373067005", "No");

    // measurement concepts: CID 7469, 7470, 7472, 7468 (SCT/DCM)
    static final Code VOLUME = sct("118565006", "Volume");
    static final Code AREA = sct("42798000", "Area");
    static final Code PERIMETER = sct("131191004", "Perimeter");
    static final Code LONG_AXIS = sct("103339001", "Long Axis");
    /** The moment ellipse's axes (CID 7470). */
    static final Code MAJOR_AXIS = sct("131187009", "Major Axis");
    static final Code MINOR_AXIS = sct("131188004", "Minor Axis");
    /**
     * CID 7470's Short Axis, for a RECIST short axis (the longest diameter perpendicular to the long axis), which
     * is not the moment ellipse's {@link #MINOR_AXIS}. Not written yet.
     */
    static final Code SHORT_AXIS = sct("103340004", "Short Axis");
    static final Code ATTENUATION_COEFFICIENT = dcm("112031", "Attenuation Coefficient");

    // derivations: CID 7464 "General Region of Interest Measurement Modifier"
    static final Code MEAN = sct("373098007", "Mean");
    static final Code MINIMUM = sct("255605001", "Minimum");
    static final Code MAXIMUM = sct("56851009", "Maximum");
    static final Code STANDARD_DEVIATION = sct("386136009", "Standard Deviation");
    static final Code MEDIAN = sct("373099004", "Median");
    static final Code SKEWNESS = dcm("126051", "Skewness");
    /** The fourth standardised moment m4 / m2^2 (not the excess kurtosis, which subtracts 3). */
    static final Code KURTOSIS = dcm("126052", "Kurtosis");

    // units: UCUM
    static final Code MM = ucum("mm", "millimeter");
    static final Code MM2 = ucum("mm2", "square millimeter");
    static final Code MM3 = ucum("mm3", "cubic millimeter");
    static final Code HU = ucum("[hnsf'U]", "Hounsfield unit");
    static final Code NO_UNITS = ucum("1", "no units");
    static final Code RATIO = ucum("{ratio}", "ratio");

    // the node's own concepts (no standard code)
    static final Code CENTROID_X = ctai("CENTROID_X", "Centroid x (patient LPS)");
    static final Code CENTROID_Y = ctai("CENTROID_Y", "Centroid y (patient LPS)");
    static final Code CENTROID_Z = ctai("CENTROID_Z", "Centroid z (patient LPS)");
    static final Code ROUNDNESS = ctai("ROUNDNESS", "Roundness (minor/major axis)");

    /** The 15 GLGCM texture features, in the order of {@code TextureFeatures}' components (T1..T15). */
    static final Code[] GLGCM = {
            ctai("GLGCM_T01", "GLGCM small gradient dominance"),
            ctai("GLGCM_T02", "GLGCM large gradient dominance"),
            ctai("GLGCM_T03", "GLGCM gray level non-uniformity"),
            ctai("GLGCM_T04", "GLGCM gradient non-uniformity"),
            ctai("GLGCM_T05", "GLGCM energy"),
            ctai("GLGCM_T06", "GLGCM gray mean"),
            ctai("GLGCM_T07", "GLGCM gradient mean"),
            ctai("GLGCM_T08", "GLGCM gray standard deviation"),
            ctai("GLGCM_T09", "GLGCM gradient standard deviation"),
            ctai("GLGCM_T10", "GLGCM correlation"),
            ctai("GLGCM_T11", "GLGCM gray entropy"),
            ctai("GLGCM_T12", "GLGCM gradient entropy"),
            ctai("GLGCM_T13", "GLGCM mixed entropy"),
            ctai("GLGCM_T14", "GLGCM inertia"),
            ctai("GLGCM_T15", "GLGCM inverse difference moment"),
    };

    /** Finding Site when the CT's Body Part Examined is missing or not one of {@link #SITE_BY_BODY_PART}'s. */
    static final Code ANATOMICAL_STRUCTURE = sct("123037004", "Anatomical Structure");

    /** Finding Site values (CID 4031 "Common Anatomic Regions") by the CT's Body Part Examined (PS3.16 Annex L). */
    static final java.util.Map<String, Code> SITE_BY_BODY_PART = java.util.Map.ofEntries(
            java.util.Map.entry("HEAD", sct("69536005", "Head")),
            java.util.Map.entry("BRAIN", sct("12738006", "Brain")),
            java.util.Map.entry("NECK", sct("45048000", "Neck")),
            java.util.Map.entry("HEADNECK", sct("774007", "Head and Neck")),
            java.util.Map.entry("CHEST", sct("51185008", "Chest")),
            java.util.Map.entry("LUNG", sct("39607008", "Lung")),
            java.util.Map.entry("BREAST", sct("76752008", "Breast")),
            java.util.Map.entry("ABDOMEN", sct("113345001", "Abdomen")),
            java.util.Map.entry("LIVER", sct("10200004", "Liver")),
            java.util.Map.entry("KIDNEY", sct("64033007", "Kidney")),
            java.util.Map.entry("PELVIS", sct("12921003", "Pelvis")),
            java.util.Map.entry("CHESTABDOMEN", sct("416550000", "Chest and Abdomen")),
            java.util.Map.entry("ABDOMENPELVIS", sct("416949008", "Abdomen and Pelvis")),
            java.util.Map.entry("CHESTABDPELVIS", sct("416775004", "Chest, Abdomen and Pelvis")),
            java.util.Map.entry("WHOLEBODY", sct("38266002", "Entire body")));

    /** The Finding Site for a CT's Body Part Examined (any case, blank allowed). */
    static Code findingSite(String bodyPartExamined) {
        return SITE_BY_BODY_PART.getOrDefault(bodyPartExamined.trim().toUpperCase(java.util.Locale.ROOT), ANATOMICAL_STRUCTURE);
    }

    /** Tracking Identifier that makes OHIF / Cornerstone3D rehydrate a planar group as a freehand ROI. */
    static final String CORNERSTONE_FREEHAND_TRACKING_ID = "Cornerstone3DTools@^0.1.0:PlanarFreehandROI";
}
