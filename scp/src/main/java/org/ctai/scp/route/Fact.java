package org.ctai.scp.route;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a rule can ask about a series: its name in the rule language, its kind and, for header facts, its attribute. */
enum Fact {
    MODALITY("modality", Kind.TEXT, TagFromName.Modality),
    SOP_CLASS("sopClass", Kind.SOP_CLASS, TagFromName.SOPClassUID),
    IMAGE_TYPE("imageType", Kind.MULTI, TagFromName.ImageType),
    BODY_PART("bodyPart", Kind.TEXT, TagFromName.BodyPartExamined),
    STUDY_DESCRIPTION("studyDescription", Kind.TEXT, TagFromName.StudyDescription),
    SERIES_DESCRIPTION("seriesDescription", Kind.TEXT, TagFromName.SeriesDescription),
    PROTOCOL_NAME("protocolName", Kind.TEXT, TagFromName.ProtocolName),
    KERNEL("kernel", Kind.MULTI, TagFromName.ConvolutionKernel),
    MANUFACTURER("manufacturer", Kind.TEXT, TagFromName.Manufacturer),
    CONTRAST("contrast", Kind.TEXT, TagFromName.ContrastBolusAgent),
    SLICE_THICKNESS("sliceThickness", Kind.NUMBER, TagFromName.SliceThickness),
    /** Both values, row and column spacing: a range holds when each does. */
    PIXEL_SPACING("pixelSpacing", Kind.NUMBER, TagFromName.PixelSpacing),
    /** Instances with distinct Image Position (Patient): the slices of a stack. */
    SLICES("slices", Kind.NUMBER, null),
    INSTANCES("instances", Kind.NUMBER, null),
    /** Degrees the slice normal is turned about the patient's left-right axis (a gantry tilt; 90 for coronal). */
    TILT("tilt", Kind.NUMBER, null),
    /** Degrees the slice normal leaves the patient's sagittal (y-z) plane: what no gantry tilt explains. */
    OBLIQUITY("obliquity", Kind.NUMBER, null),
    /** The AE title that sent the series; absent in a dry run unless given. */
    CALLING_AE("callingAe", Kind.TEXT, null),
    /** Tilt and obliquity together, for the {@code orientation axial within N [tilt M]} condition only. */
    ORIENTATION("orientation", Kind.ORIENTATION, TagFromName.ImageOrientationPatient);

    enum Kind { TEXT, MULTI, NUMBER, SOP_CLASS, ORIENTATION }

    final String word;
    final Kind kind;
    final AttributeTag tag;

    Fact(String word, Kind kind, AttributeTag tag) {
        this.word = word;
        this.kind = kind;
        this.tag = tag;
    }

    static Optional<Fact> named(String word) {
        return Arrays.stream(values()).filter(f -> f.word.equalsIgnoreCase(word)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(f -> f.word).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return word;
    }
}
